{#- The staging model's name for a contract column (staging renames a few to the house style). -#}
{% macro staging_column_name(source, column) -%}
    {%- set renames = {
        'users': {'marketing_opt_in': 'is_marketing_opt_in'},
        'products': {'name': 'product_name', 'price': 'price_eur', 'cost': 'cost_eur'},
        'order_items': {'discount_pct': 'discount_rate'},
        'api_logs': {'method': 'http_method', 'ts': 'requested_at'},
    } -%}
    {{ return(renames.get(source, {}).get(column, column)) }}
{%- endmacro %}
