{#- True when an order status is recognised (revenue, margin, conversion and customer value
    count it): the statuses of var `recognised_order_statuses` (paid, shipped, delivered). -#}
{% macro is_recognised_status(column) -%}
    coalesce({{ column }} in (
        {%- for status in var('recognised_order_statuses') -%}
            {{ sql_string(status) }}{{ ", " if not loop.last }}
        {%- endfor -%}
    ), false)
{%- endmacro %}
