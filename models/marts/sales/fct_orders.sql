with

orders as (

    select * from {{ ref('int_orders_deduplicated') }}

),

order_lines as (

    select * from {{ ref('int_order_lines_priced') }}

),

order_lines_summary as (

    select
        order_id,
        file_id as lines_file_id,
        file_row_number as lines_file_row_number,
        count(*) as lines_count,
        cast(sum(quantity) as bigint) as units,
        sum(gross_eur) as gross_revenue_eur,
        sum(discount_eur) as discount_eur,
        sum(net_eur) as net_revenue_eur,
        sum(cost_eur) as cost_eur,
        sum(margin_eur) as margin_eur
    from order_lines
    group by order_id, file_id, file_row_number

),

final as (

    select
        -- ids
        orders.order_id,
        orders.user_id,
        orders.session_id,

        -- strings
        orders.status,
        orders.currency,
        orders.payment_method,
        orders.shipping_country_code,
        orders.coupon_code,

        -- numerics
        order_lines_summary.lines_count,
        order_lines_summary.units,
        order_lines_summary.gross_revenue_eur,
        order_lines_summary.discount_eur,
        order_lines_summary.net_revenue_eur,
        order_lines_summary.cost_eur,
        order_lines_summary.margin_eur,
        orders.shipping_cost,
        orders.shipping_cost_eur,
        orders.delivered_versions_count,

        -- booleans
        orders.is_recognised,
        orders.coupon_code is not null as has_coupon,
        coalesce(
            order_lines_summary.lines_file_id = orders.file_id
            and order_lines_summary.lines_file_row_number = orders.file_row_number,
            false
        ) as has_lines_of_winning_version,

        -- dates
        orders.order_date,

        -- timestamps
        orders.ordered_at,
        orders.updated_at,

        -- lineage of the winning version
        orders.file_id,
        orders.file_name,
        orders.file_business_date,
        orders.file_row_number,
        orders.batch_id

    from orders
    left join order_lines_summary
        on orders.order_id = order_lines_summary.order_id

)

select * from final
