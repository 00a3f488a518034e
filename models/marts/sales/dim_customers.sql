with

users as (

    select * from {{ ref('int_users_deduplicated') }}

),

orders as (

    select * from {{ ref('fct_orders') }}
    where is_recognised

),

customer_orders as (

    select
        user_id,
        count(*) as orders_count,
        cast(sum(units) as bigint) as units,
        sum(net_revenue_eur) as lifetime_net_revenue_eur,
        sum(margin_eur) as lifetime_margin_eur,
        min(ordered_at) as first_order_at,
        max(ordered_at) as last_order_at
    from orders
    group by user_id

),

final as (

    select
        -- ids
        users.user_id,

        -- strings
        users.country_code,

        -- numerics
        coalesce(customer_orders.orders_count, 0) as orders_count,
        coalesce(customer_orders.units, 0) as units,
        case
            when customer_orders.orders_count is null then 0
            else customer_orders.lifetime_net_revenue_eur
        end as lifetime_net_revenue_eur,
        case
            when customer_orders.orders_count is null then 0
            else customer_orders.lifetime_margin_eur
        end as lifetime_margin_eur,
        customer_orders.lifetime_net_revenue_eur
        / customer_orders.orders_count as avg_order_value_eur,

        -- booleans
        customer_orders.orders_count is not null as is_customer,
        coalesce(customer_orders.orders_count > 1, false) as is_repeat_customer,

        -- dates
        cast({{ dbt.date_trunc('month', 'customer_orders.first_order_at') }} as date)
            as cohort_month,

        -- timestamps
        users.signup_at,
        customer_orders.first_order_at,
        customer_orders.last_order_at

    from users
    left join customer_orders
        on users.user_id = customer_orders.user_id

)

select * from final
