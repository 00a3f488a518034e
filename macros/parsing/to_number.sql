{#- A number in decimal notation (`.` as separator), as the given SQL type; null otherwise.
    Money uses decimal(18, 2): the two-decimal rule judges the delivered text first. -#}
{% macro to_number(column, sql_type='double') -%}
    case
        when {{ regex_full_match(column, '-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?') }}
            then {{ try_cast_to(column, sql_type) }}
    end
{%- endmacro %}
