{#- The latest value of the timestamp `column` in `relation` (1900-01-01 when it is empty). With
    `read_now` (only at execution) it is read at once and written as a timestamp literal, so
    DuckDB can skip the row groups whose min/max rule it out; otherwise a scalar subquery (a
    first run, unit tests, linting, docs). -#}
{% macro latest_timestamp(relation, column, read_now) -%}
    {%- set query -%}
        select
            coalesce(
                max({{ column }}),
                {{ dbt.cast(dbt.string_literal('1900-01-01'), dbt.type_timestamp()) }}
            ) as latest
        from {{ relation }}
    {%- endset -%}
    {%- if execute and read_now -%}
        {%- set latest = run_query(query).columns[0].values()[0] -%}
        {{ dbt.cast(dbt.string_literal(latest.strftime('%Y-%m-%d %H:%M:%S.%f')),
            dbt.type_timestamp()) }}
    {%- else -%}
        ({{ query }})
    {%- endif -%}
{%- endmacro %}
