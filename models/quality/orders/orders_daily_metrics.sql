{#- The orders series the anomaly detector scores (quality.orders_anomalies): row_volume
    (delivered rows per business date) and net_revenue_eur (recognised orders' net revenue per
    UTC order day, from marts.agg_daily_orders; a day without orders counts 0). -#}
with

row_volume as (

    {{ daily_row_volume('orders') }}

),

daily_orders as (

    select * from {{ ref('agg_daily_orders') }}

),

order_days as (

    select
        min(order_date) as first_day,
        max(order_date) as last_day
    from daily_orders

),

calendar as (

    {{ date_spine_between('order_days.first_day', 'order_days.last_day', 'order_days') }}

),

net_revenue as (

    select
        'net_revenue_eur' as metric,
        'orders' as source,
        calendar.day,
        cast(coalesce(daily_orders.net_revenue_eur, 0) as double) as value,
        cast(null as double) as denominator
    from calendar
    left join daily_orders
        on calendar.day = daily_orders.order_date

),

final as (

    select * from row_volume
    union all
    select * from net_revenue

)

select * from final
