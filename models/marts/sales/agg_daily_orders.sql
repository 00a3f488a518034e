with

orders as (

    select * from {{ ref('fct_orders') }}

),

daily as (

    select
        order_date,
        count(*) as orders_placed,
        count(case when is_recognised then 1 end) as orders_recognised,
        cast(sum(case when is_recognised then units end) as bigint) as units_recognised,
        sum(case when is_recognised then net_revenue_eur end) as net_revenue_eur,
        sum(case when is_recognised then margin_eur end) as margin_eur
    from orders
    group by order_date

),

final as (

    select
        -- numerics
        orders_placed,
        orders_recognised,
        units_recognised,
        net_revenue_eur,
        margin_eur,
        case
            when orders_recognised > 0 then net_revenue_eur / orders_recognised
        end as avg_order_value_eur,

        -- dates
        order_date

    from daily

)

select * from final
