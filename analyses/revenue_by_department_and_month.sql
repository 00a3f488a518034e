{#- Recognised net revenue and margin per month and department (seed ref_product_categories),
    with the margin as a share of revenue: the monthly view finance asks for. -#}

with

order_lines as (

    select * from {{ ref('fct_order_lines') }}
    where is_recognised

),

final as (

    select
        cast({{ dbt.date_trunc('month', 'order_date') }} as date) as order_month,
        coalesce(department, 'unknown') as department,
        count(distinct order_id) as orders_recognised,
        sum(quantity) as units,
        sum(net_eur) as net_revenue_eur,
        sum(margin_eur) as margin_eur,
        sum(margin_eur) / nullif(sum(net_eur), 0) as margin_rate
    from order_lines
    group by
        cast({{ dbt.date_trunc('month', 'order_date') }} as date),
        coalesce(department, 'unknown')

)

select * from final
order by order_month, department
