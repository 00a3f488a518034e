{#- on-run-start hook (dbt_project.yml): creates $ECOM_DATA_DIR/processed/ and one folder per mart
    domain (the folders under models/marts/) once, before any model runs, so the marts' Parquet
    post-hooks (export_parquet), which run in parallel threads, only write files. Returns no
    SQL. -#}
{% macro ensure_export_folders() -%}
    {%- if execute and var('export_parquet', true) -%}
        {%- set domains = [] -%}
        {%- for node in graph.nodes.values() -%}
            {%- if node.resource_type == 'model' and node.fqn | length > 3
                and node.fqn[1] == 'marts' and node.fqn[2] not in domains -%}
                {%- do domains.append(node.fqn[2]) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if domains -%}
            {%- set processed = env_var('ECOM_DATA_DIR', 'data') ~ '/processed' -%}
            {%- do ensure_folder(processed) -%}
            {%- for domain in domains | sort -%}
                {%- do ensure_folder(processed ~ '/' ~ domain) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
