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

{#- Spark parses the offset itself; the session time zone must be UTC
    (spark.sql.session.timeZone), so the timestamp it returns is the UTC wall time. -#}
{% macro spark__to_utc_timestamp(column) -%}
    case
        when {{ column }} rlike
            '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,6})?(Z|[+-][0-9]{2}:[0-9]{2})$'
            then try_cast({{ column }} as timestamp)
    end
{%- endmacro %}

{% macro default__to_utc_timestamp(column) -%}
    {{ exceptions.raise_compiler_error(
        "to_utc_timestamp has no implementation for the " ~ target.type ~ " adapter") }}
{%- endmacro %}
