{#- Post-hook of the marts: writes the model just built as Parquet under
    $ECOM_DATA_DIR/processed/<domain>/, where <domain> is the model's folder under models/marts/
    (sales, sessions, products, api_logs, enriched, joined; the on-run-start hook
    ensure_export_folders creates the folders). A mart whose config names a day column in
    `meta.export_partition_column` (the big facts) is written as a Hive-partitioned folder
    <model>/<day column>=<YYYY-MM-DD>/data_0.parquet, rewriting only the days whose rows changed
    (export_parquet_by_day); every other mart as one file <model>.parquet. Marts carry personal
    data only as salted hashes, so the files do too. Off with `--vars '{export_parquet: false}'`. -#}
{% macro export_parquet() -%}
    {{ return(adapter.dispatch('export_parquet', 'ecommerce')()) }}
{%- endmacro %}

{% macro duckdb__export_parquet() -%}
    {%- if execute and var('export_parquet', true) and model.fqn | length > 3
        and model.fqn[1] == 'marts' -%}
        {%- set folder = env_var('ECOM_DATA_DIR', 'data') ~ '/processed/' ~ model.fqn[2] -%}
        {%- set day_column = (model.config.meta or {}).get('export_partition_column') -%}
        {%- if day_column -%}
            {{ export_parquet_by_day(folder ~ '/' ~ model.name, day_column) }}
        {%- else -%}
            copy (select * from {{ this }})
            to {{ sql_string(folder ~ '/' ~ model.name ~ '.parquet') }} (format parquet)
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{% macro default__export_parquet() -%}
    {{ exceptions.raise_compiler_error(
        "export_parquet has no implementation for the " ~ target.type ~ " adapter") }}
{%- endmacro %}
