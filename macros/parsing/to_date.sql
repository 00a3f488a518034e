{#- A contract date (YYYY-MM-DD) as a date; null when malformed or impossible. -#}
{% macro to_date(column) -%}
    case
        when {{ regex_full_match(column, '[0-9]{4}-[0-9]{2}-[0-9]{2}') }}
            then {{ try_cast_to(column, 'date') }}
    end
{%- endmacro %}
