{#- A contract timestamp (ISO-8601 with `Z` or a +-HH:MM offset) as a UTC timestamp; null when
    the text is not in that form or names an impossible instant. -#}
{% macro to_utc_timestamp(column) -%}
    {{ return(adapter.dispatch('to_utc_timestamp', 'ecommerce')(column)) }}
{%- endmacro %}

{% macro duckdb__to_utc_timestamp(column) -%}
    case
        when regexp_full_match(
            {{ column }},
            '[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?(Z|[+-][0-9]{2}:[0-9]{2})'
        )
            then timezone('UTC', try_cast({{ column }} as timestamptz))
    end
{%- endmacro %}

{% macro default__to_utc_timestamp(column) -%}
    {{ exceptions.raise_compiler_error(
        "to_utc_timestamp has no implementation for the " ~ target.type ~ " adapter") }}
{%- endmacro %}
