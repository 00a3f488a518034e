with

sessions as (

    select * from {{ ref('fct_sessions') }}

),

orders as (

    select * from {{ ref('fct_orders') }}

),

final as (

    select
        -- ids
        sessions.session_id || '|' || coalesce(orders.order_id, '') as session_order_id,
        sessions.session_id,
        orders.order_id,
        sessions.user_id as session_user_id,
        orders.user_id as order_user_id,

        -- strings
        sessions.device_type,
        sessions.os,
        sessions.browser,
        sessions.traffic_source,
        sessions.campaign,
        sessions.country_code,
        sessions.landing_page,
        orders.status,
        orders.currency,
        orders.payment_method,
        orders.shipping_country_code,

        -- numerics
        sessions.page_views,
        sessions.product_views,
        sessions.add_to_cart_count,
        sessions.duration_s,
        sessions.orders_count as session_orders_count,
        orders.lines_count,
        orders.units,
        orders.net_revenue_eur,
        orders.margin_eur,
        orders.shipping_cost_eur,
        {{ seconds_between('sessions.started_at', 'orders.ordered_at') }}
            as seconds_to_order,

        -- booleans
        sessions.is_bounce,
        sessions.is_converted,
        orders.order_id is not null as has_order,
        orders.is_recognised,

        -- dates
        sessions.session_date,
        orders.order_date,

        -- timestamps
        sessions.started_at,
        sessions.ended_at,
        orders.ordered_at

    from sessions
    left join orders
        on sessions.session_id = orders.session_id

)

select * from final
