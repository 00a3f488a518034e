{#- A whole number written in decimal digits; null otherwise (`1.0`, `1e3`, `abc`). -#}
{% macro to_integer(column) -%}
    case
        when {{ regex_full_match(column, '-?[0-9]{1,18}') }}
            then {{ dbt.safe_cast(column, dbt.type_bigint()) }}
    end
{%- endmacro %}
