with

order_lines as (

    select * from {{ ref('fct_order_lines') }}
    where is_recognised

),

daily as (

    select
        order_date,
        category,
        count(distinct order_id) as orders_recognised,
        cast(coalesce(sum(quantity), 0) as bigint) as units,
        sum(net_eur) as net_revenue_eur,
        sum(margin_eur) as margin_eur
    from order_lines
    group by order_date, category

),

final as (

    select
        -- ids
        {{ surrogate_key(['order_date', 'category']) }} as daily_sales_id,

        -- strings
        daily.category,

        -- numerics
        daily.orders_recognised,
        daily.units,
        daily.net_revenue_eur,
        daily.margin_eur,

        -- dates
        daily.order_date

    from daily

)

select * from final
