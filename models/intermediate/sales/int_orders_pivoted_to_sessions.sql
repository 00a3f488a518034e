with

orders as (

    select * from {{ ref('int_orders_deduplicated') }}

),

final as (

    select
        -- ids
        session_id,

        -- numerics
        count(*) as orders_count,
        count(case when is_recognised then 1 end) as recognised_orders_count,

        -- timestamps
        min(ordered_at) as first_order_at,
        min(case when is_recognised then ordered_at end) as first_recognised_order_at

    from orders
    where session_id is not null
    group by session_id

)

select * from final
