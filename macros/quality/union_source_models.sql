{#- The union of one per-source quality model across every source, e.g. users_file_status,
    products_file_status, ... for union_source_models('file_status'). The per-source models
    share their columns (one macro builds each kind). -#}
{% macro union_source_models(kind) -%}
    {%- for source in ['users', 'products', 'sessions', 'orders', 'api_logs'] %}
select * from {{ ref(source ~ '_' ~ kind) }}
{{ "union all" if not loop.last }}
    {%- endfor %}
{%- endmacro %}
