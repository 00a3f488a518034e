{#- Post-hook of the marts: writes the model just built as Parquet to
    $ECOM_DATA_DIR/processed/<domain>/<model>.parquet, where <domain> is the model's folder under
    models/marts/ (sales, sessions, products, api_logs, enriched, joined; the on-run-start hook
    ensure_export_folders creates the folders). Marts carry personal data only as salted hashes,
    so the files do too. Off with `--vars '{export_parquet: false}'`. -#}
{% macro export_parquet() -%}
    {{ return(adapter.dispatch('export_parquet', 'ecommerce')()) }}
{%- endmacro %}

{% macro duckdb__export_parquet() -%}
    {%- if execute and var('export_parquet', true) and model.fqn | length > 3
        and model.fqn[1] == 'marts' -%}
        {%- set folder = env_var('ECOM_DATA_DIR', 'data') ~ '/processed/' ~ model.fqn[2] -%}
        copy (select * from {{ this }})
        to {{ sql_string(folder ~ '/' ~ model.name ~ '.parquet') }} (format parquet)
    {%- endif -%}
{%- endmacro %}

{% macro default__export_parquet() -%}
    {{ exceptions.raise_compiler_error(
        "export_parquet has no implementation for the " ~ target.type ~ " adapter") }}
{%- endmacro %}
