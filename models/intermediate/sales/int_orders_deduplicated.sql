with

orders as (

    select * from {{ ref('int_orders_validated') }}

),

exchange_rates as (

    select * from {{ ref('ref_exchange_rates') }}

),

ranked as (

    select
        *,
        row_number() over (
            partition by order_id
            order by {{ latest_first('updated_at') }}
        ) as version_rank,
        count(*) over (partition by order_id) as delivered_versions_count
    from orders

),

winners as (

    select * from ranked
    where version_rank = 1

),

final as (

    select
        -- ids
        winners.order_id,
        winners.user_id,
        winners.session_id,

        -- strings
        winners.status,
        winners.currency,
        winners.payment_method,
        winners.shipping_country_code,
        winners.coupon_code,

        -- numerics
        winners.items_count,
        winners.delivered_versions_count,
        winners.shipping_cost,
        winners.shipping_cost * exchange_rates.eur_per_unit as shipping_cost_eur,

        -- booleans
        {{ is_recognised_status('winners.status') }} as is_recognised,

        -- dates
        cast(winners.ordered_at as date) as order_date,

        -- timestamps
        winners.ordered_at,
        winners.updated_at,

        -- lineage of the winning version
        winners.file_id,
        winners.file_name,
        winners.file_business_date,
        winners.file_row_number,
        winners.batch_id

    from winners
    left join exchange_rates
        on winners.currency = exchange_rates.currency

)

select * from final
