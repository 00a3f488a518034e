{#- Incremental (see the model's description): an incremental run prices the lines of the orders
    whose winning version (intermediate.int_orders_deduplicated) is not the stored one, and
    re-prices the stored orders whose product versions changed in new load batches; delete+insert
    on order_id replaces all lines of those orders. A pre-hook deletes the orders that no longer
    have a clean version. -#}
{{ config(
    materialized='incremental',
    unique_key='order_id',
    incremental_strategy='delete+insert',
    on_schema_change='sync_all_columns',
    pre_hook=[
        "{{ delete_rows_of_other_config(['ref_exchange_rates']) }}",
        "{{ delete_orders_without_clean_version() }}",
    ],
) }}

with

orders as (

    select * from {{ ref('int_orders_deduplicated') }}

),

order_items as (

    select * from {{ ref('int_order_items_validated') }}

),

product_versions as (

    select * from {{ ref('int_product_versions') }}

),

exchange_rates as (

    select * from {{ ref('ref_exchange_rates') }}

),

run_watermark as (

    -- the highest product batch this run: every row written records it
    select max(content_batch_id) as watermark_batch_id
    from product_versions

),

{% if is_incremental() %}
stored_lines as (

    select * from {{ this }}

),

stored_winners as (

    select distinct
        order_id,
        file_id,
        file_row_number
    from stored_lines

),

changed_orders as (

    -- orders whose winning version is not the stored one: a new version won (a later
    -- delivery that wins by the version order), a new order, or the stored winner lost its
    -- clean status
    select orders.*
    from orders
    left join stored_winners
        on orders.order_id = stored_winners.order_id
    where
        stored_winners.order_id is null
        or orders.file_id <> stored_winners.file_id
        or orders.file_row_number <> stored_winners.file_row_number

),

changed_products as (

    -- products with a version whose content arrived in a load batch after the last run
    select
        product_id,
        min(valid_from) as changed_from
    from product_versions
    where content_batch_id > {{ incremental_watermark() }}
    group by product_id

),

repriced_orders as (

    -- stored orders a changed product version may price differently: lines ordered after the
    -- change, lines priced before the product's first version, lines of a product not known
    select distinct orders.*
    from stored_lines
    inner join changed_products
        on stored_lines.product_id = changed_products.product_id
    inner join orders
        on
            stored_lines.order_id = orders.order_id
            and stored_lines.file_id = orders.file_id
            and stored_lines.file_row_number = orders.file_row_number
    where
        stored_lines.ordered_at >= changed_products.changed_from
        or stored_lines.is_priced_before_first_version
        or stored_lines.product_version_valid_from is null

),

{% endif %}
orders_to_price as (

    {% if is_incremental() %}
        select * from changed_orders
        union
        select * from repriced_orders
    {% else %}
        select * from orders
    {% endif %}

),

lines as (

    select
        -- ids
        orders_to_price.order_id,
        order_items.line_number,
        orders_to_price.user_id,
        orders_to_price.session_id,
        order_items.product_id,

        -- strings
        orders_to_price.status,
        orders_to_price.currency,

        -- numerics
        order_items.quantity,
        order_items.unit_price,
        order_items.discount_rate,

        -- booleans
        orders_to_price.is_recognised,

        -- timestamps
        orders_to_price.ordered_at,
        orders_to_price.updated_at,

        -- lineage of the order's winning version
        orders_to_price.file_id,
        orders_to_price.file_name,
        orders_to_price.file_business_date,
        orders_to_price.file_row_number,
        orders_to_price.batch_id

    from orders_to_price
    inner join order_items
        on
            orders_to_price.file_id = order_items.file_id
            and orders_to_price.file_row_number = order_items.file_row_number

),

lines_with_versions as (

    -- the product version valid at ordered_at: the latest updated_at at or before it, else the
    -- earliest version (raw-data contract)
    select
        lines.*,
        product_versions.category,
        product_versions.cost_eur as unit_cost_eur,
        product_versions.valid_from as product_version_valid_from,
        coalesce(lines.ordered_at < product_versions.valid_from, false)
            as is_priced_before_first_version
    from lines
    left join product_versions
        on
            lines.product_id = product_versions.product_id
            and (
                lines.ordered_at >= product_versions.valid_from
                or product_versions.is_first_version
            )
            and (
                lines.ordered_at < product_versions.valid_to
                or product_versions.valid_to is null
            )

),

amounts as (

    -- exact decimals: a quantity times a price in cents, times a discount rate of at most six
    -- decimals, times a rate of at most six decimals, never rounded
    select
        lines_with_versions.*,
        exchange_rates.eur_per_unit,
        cast(
            lines_with_versions.quantity * lines_with_versions.unit_price as decimal(18, 2)
        ) as gross_amount,
        cast(
            lines_with_versions.quantity * lines_with_versions.unit_price
            * lines_with_versions.discount_rate as decimal(26, 8)
        ) as discount_amount
    from lines_with_versions
    left join exchange_rates
        on lines_with_versions.currency = exchange_rates.currency

),

net_amounts as (

    select
        *,
        cast(gross_amount - discount_amount as decimal(26, 8)) as net_amount,
        cast(quantity * unit_cost_eur as decimal(18, 2)) as cost_eur
    from amounts

),

final as (

    select
        -- ids
        order_id || '-' || cast(line_number as {{ dbt.type_string() }}) as order_line_id,
        order_id,
        line_number,
        user_id,
        session_id,
        product_id,

        -- strings
        status,
        currency,
        category,

        -- numerics (money in the order's currency, then in EUR; never rounded)
        quantity,
        unit_price,
        discount_rate,
        eur_per_unit,
        gross_amount,
        discount_amount,
        net_amount,
        cast(gross_amount * eur_per_unit as decimal(38, 14)) as gross_eur,
        cast(discount_amount * eur_per_unit as decimal(38, 14)) as discount_eur,
        cast(net_amount * eur_per_unit as decimal(38, 14)) as net_eur,
        unit_cost_eur,
        cost_eur,
        cast(net_amount * eur_per_unit - cost_eur as decimal(38, 14)) as margin_eur,

        -- booleans
        is_recognised,
        is_priced_before_first_version,

        -- dates
        cast(ordered_at as date) as order_date,

        -- timestamps
        ordered_at,
        updated_at,
        product_version_valid_from,

        -- lineage of the order's winning version
        file_id,
        file_name,
        file_business_date,
        file_row_number,
        batch_id,

        -- incremental bookkeeping
        (select run_watermark.watermark_batch_id from run_watermark) as watermark_batch_id,
        {{ run_started_timestamp() }} as processed_at,
        {{ sql_string(config_fingerprint(['ref_exchange_rates'])) }} as config_fingerprint

    from net_amounts

)

select * from final
