{#- Incremental by load batch (see the model's description): an incremental run prices the lines
    of the orders whose winning version arrived in a new batch (a new version competes with the
    stored winner by the version order) and re-prices the stored orders whose product versions
    changed since; delete+insert on order_id replaces all lines of those orders. -#}
{{ config(
    materialized='incremental',
    unique_key='order_id',
    incremental_strategy='delete+insert',
    on_schema_change='sync_all_columns',
    pre_hook="{{ delete_rows_of_other_config(['ref_exchange_rates']) }}",
) }}

with

new_orders as (

    select * from {{ ref('int_orders_validated') }}
    {% if is_incremental() %}
        where batch_id > {{ incremental_watermark() }}
    {% endif %}

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

input_batches as (

    -- the highest batch of the inputs this run: every row written records it
    select batch_id from {{ ref('int_orders_validated') }}
    union all
    select content_batch_id as batch_id from product_versions

),

run_watermark as (

    select max(batch_id) as watermark_batch_id
    from input_batches

),

{% if is_incremental() %}
stored_lines as (

    select * from {{ this }}

),

stored_winners as (

    -- the stored winning version of each order delivered again
    select distinct
        stored_lines.order_id,
        stored_lines.updated_at,
        stored_lines.file_business_date,
        stored_lines.file_name,
        stored_lines.file_id,
        stored_lines.file_row_number
    from stored_lines
    inner join (select distinct order_id from new_orders) as delivered_again
        on stored_lines.order_id = delivered_again.order_id

),

{% endif %}
candidates as (

    select
        order_id,
        updated_at,
        file_business_date,
        file_name,
        file_id,
        file_row_number,
        false as is_stored
    from new_orders
    {% if is_incremental() %}

    union all

    select
        order_id,
        updated_at,
        file_business_date,
        file_name,
        file_id,
        file_row_number,
        true as is_stored
    from stored_winners
    {% endif %}

),

ranked as (

    select
        *,
        row_number() over (
            partition by order_id
            order by {{ latest_first('updated_at') }}
        ) as version_rank
    from candidates

),

new_winners as (

    -- orders whose winning version is new (a stored winner that still wins needs nothing)
    select
        order_id,
        file_id,
        file_row_number
    from ranked
    where
        version_rank = 1
        and not is_stored

),

lines_of_new_winners as (

    select
        -- ids
        new_orders.order_id,
        order_items.line_number,
        new_orders.user_id,
        new_orders.session_id,
        order_items.product_id,

        -- strings
        new_orders.status,
        new_orders.currency,

        -- numerics
        order_items.quantity,
        order_items.unit_price,
        order_items.discount_rate,

        -- timestamps
        new_orders.ordered_at,
        new_orders.updated_at,

        -- lineage of the order's winning version
        new_orders.file_id,
        new_orders.file_name,
        new_orders.file_business_date,
        new_orders.file_row_number,
        new_orders.batch_id

    from new_winners
    inner join new_orders
        on
            new_winners.file_id = new_orders.file_id
            and new_winners.file_row_number = new_orders.file_row_number
    inner join order_items
        on
            new_winners.file_id = order_items.file_id
            and new_winners.file_row_number = order_items.file_row_number

),

{% if is_incremental() %}
changed_products as (

    -- products with a version whose content arrived after the last run
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
    select distinct stored_lines.order_id
    from stored_lines
    inner join changed_products
        on stored_lines.product_id = changed_products.product_id
    left join new_winners
        on stored_lines.order_id = new_winners.order_id
    where
        new_winners.order_id is null
        and (
            stored_lines.ordered_at >= changed_products.changed_from
            or stored_lines.is_priced_before_first_version
            or stored_lines.product_version_valid_from is null
        )

),

lines_of_repriced_orders as (

    select
        -- ids
        stored_lines.order_id,
        stored_lines.line_number,
        stored_lines.user_id,
        stored_lines.session_id,
        stored_lines.product_id,

        -- strings
        stored_lines.status,
        stored_lines.currency,

        -- numerics
        stored_lines.quantity,
        stored_lines.unit_price,
        stored_lines.discount_rate,

        -- timestamps
        stored_lines.ordered_at,
        stored_lines.updated_at,

        -- lineage of the order's winning version
        stored_lines.file_id,
        stored_lines.file_name,
        stored_lines.file_business_date,
        stored_lines.file_row_number,
        stored_lines.batch_id

    from stored_lines
    inner join repriced_orders
        on stored_lines.order_id = repriced_orders.order_id

),

{% endif %}
lines as (

    select * from lines_of_new_winners
    {% if is_incremental() %}
        union all
        select * from lines_of_repriced_orders
    {% endif %}

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
        {{ is_recognised_status('status') }} as is_recognised,
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
        {{ dbt.cast(dbt.string_literal(run_started_at.strftime('%Y-%m-%d %H:%M:%S.%f')),
            dbt.type_timestamp()) }} as processed_at,
        {{ sql_string(config_fingerprint(['ref_exchange_rates'])) }} as config_fingerprint

    from net_amounts

)

select * from final
