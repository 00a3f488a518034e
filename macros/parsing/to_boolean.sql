{#- A contract boolean: exactly `true` or `false`; anything else is null (and breaks the type rule). -#}
{% macro to_boolean(column) -%}
    case {{ column }}
        when 'true' then true
        when 'false' then false
    end
{%- endmacro %}
