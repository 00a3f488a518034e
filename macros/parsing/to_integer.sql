{#- A whole number written in decimal digits; null otherwise (`1.0`, `1e3`, `abc`). -#}
{% macro to_integer(column) -%}
    case
        when {{ regex_full_match(column, '-?[0-9]{1,18}') }}
            then {{ try_cast_to(column, dbt.type_bigint()) }}
    end
{%- endmacro %}
