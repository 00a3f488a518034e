{#- The latest `processed_at` the model has stored (1900-01-01 when it is empty): an incremental
    run reads the rows its input wrote after it. On an incremental run it is read when the model
    runs and written as a timestamp literal, so DuckDB can skip the input's row groups written
    before it (their min/max); otherwise a subquery (a first run, unit tests, linting). -#}
{% macro processed_at_watermark() -%}
    {%- set query -%}
        select
            coalesce(
                max(processed_at),
                {{ dbt.cast(dbt.string_literal('1900-01-01'), dbt.type_timestamp()) }}
            ) as processed_at
        from {{ this }}
    {%- endset -%}
    {%- if execute and is_incremental() -%}
        {%- set stored = run_query(query).columns[0].values()[0] -%}
        {{ dbt.cast(dbt.string_literal(stored.strftime('%Y-%m-%d %H:%M:%S.%f')),
            dbt.type_timestamp()) }}
    {%- else -%}
        ({{ query }})
    {%- endif -%}
{%- endmacro %}
