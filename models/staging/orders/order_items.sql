{#- Grows with every delivery: stages new loader batches only, and restages everything after a
    config edit (the pre-hook deletes rows of another config fingerprint). -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_rows_of_other_config() }}"
) }}
-- depends_on: {{ ref('cfg_business_rules') }}

with

orders as (

    select * from {{ ref('orders') }}
    where items_count > 0
    {% if is_incremental() %}
        and batch_id > (select coalesce(max(batch_id), -1) from {{ this }})
    {% endif %}

),

lines as (

    select
        file_id,
        file_name,
        file_hash,
        file_business_date,
        file_row_number,
        loaded_at,
        batch_id,
        order_id,
        updated_at as order_updated_at,
        items,
        {{ unnest_sequence('items_count') }} as line_number
    from orders

),

items as (

    select
        *,
        {{ json_array_element('items', 'line_number - 1') }} as item
    from lines

),

typed as (

    select
        -- lineage
        file_id,
        file_name,
        file_hash,
        file_business_date,
        file_row_number,
        loaded_at,
        batch_id,

        -- ids
        order_id,
        line_number,
        {{ json_text('item', 'product_id') }} as product_id,

        -- numerics
        {{ to_integer(json_text('item', 'quantity')) }} as quantity,
        {{ to_number(json_text('item', 'unit_price'), 'decimal(18, 2)') }} as unit_price,
        {{ to_number(json_text('item', 'discount_pct'), 'decimal(9, 6)') }} as discount_pct,

        -- timestamps
        order_updated_at,

        -- delivered text of the typed columns, for the type rules
        {{ json_text('item', 'quantity') }} as delivered_quantity,
        {{ json_text('item', 'unit_price') }} as delivered_unit_price,
        {{ json_text('item', 'discount_pct') }} as delivered_discount_pct

    from items

),

judged as (

    select
        *,
        {{ rule_breaks('order_items') }} as rule_breaks
    from typed

),

renamed as (

    select
        -- lineage
        file_id,
        file_name,
        file_hash,
        file_business_date,
        file_row_number,
        loaded_at,
        batch_id,

        -- ids
        order_id,
        line_number,
        product_id,

        -- numerics
        quantity,
        unit_price,
        discount_pct as discount_rate,

        -- timestamps
        order_updated_at,

        -- quality
        rule_breaks,
        {{ sql_string(config_fingerprint()) }} as config_fingerprint,
        {{ run_started_timestamp() }} as staged_at

    from judged

)

select * from renamed
