{#- Creates a folder whose parent exists, if it is missing. DuckDB has no mkdir, but a
    per-thread COPY creates its target folder: this one writes a marker file `.folder0.csv`
    into it and never deletes anything already there. -#}
{% macro ensure_folder(path) -%}
    {{ return(adapter.dispatch('ensure_folder', 'ecommerce')(path)) }}
{%- endmacro %}

{% macro duckdb__ensure_folder(path) -%}
    {%- set statement -%}
        copy (select 'folder written by the dbt exports' as note)
        to {{ sql_string(path) }}
        (format csv, per_thread_output true, filename_pattern '.folder', overwrite_or_ignore true)
    {%- endset -%}
    {%- do run_query(statement) -%}
{%- endmacro %}

{% macro default__ensure_folder(path) -%}
    {{ exceptions.raise_compiler_error(
        "ensure_folder has no implementation for the " ~ target.type ~ " adapter") }}
{%- endmacro %}
