{#- Pre-hook of the incremental order-line models: on an incremental run, deletes the lines of
    orders that no longer have a clean version (intermediate.int_orders_deduplicated), e.g. when
    a later users delivery makes an old order break "ordered before the user's signup". -#}
{% macro delete_orders_without_clean_version() -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where order_id not in (
            select orders.order_id from {{ ref('int_orders_deduplicated') }} as orders
        )
    {%- endif -%}
{%- endmacro %}
