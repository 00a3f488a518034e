with

customers as (

    select * from {{ ref('dim_customers') }}
    where is_customer

),

orders as (

    select * from {{ ref('fct_orders') }}
    where is_recognised

),

active_months as (

    -- each customer's months with a recognised order, counted from the cohort month
    select distinct
        customers.user_id,
        customers.cohort_month,
        {{ dbt.datediff(
            'customers.cohort_month',
            'cast(' ~ dbt.date_trunc('month', 'orders.ordered_at') ~ ' as date)',
            'month') }} as months_since_first
    from customers
    inner join orders
        on customers.user_id = orders.user_id

),

cohort_sizes as (

    select
        cohort_month,
        count(*) as cohort_size
    from customers
    group by cohort_month

),

last_month as (

    select max(cast({{ dbt.date_trunc('month', 'ordered_at') }} as date)) as last_order_month
    from orders

),

cohort_months as (

    -- months 0 .. the last month with data, for every cohort (a month without an active
    -- customer counts 0)
    select
        cohort_sizes.cohort_month,
        cohort_sizes.cohort_size,
        {{ dbt.datediff('cohort_sizes.cohort_month', 'last_month.last_order_month', 'month') }}
        + 1 as months_observed
    from cohort_sizes
    cross join last_month

),

cohort_grid as (

    select
        cohort_month,
        cohort_size,
        {{ unnest_sequence('months_observed') }} - 1 as months_since_first
    from cohort_months

),

activity as (

    select
        cohort_month,
        months_since_first,
        count(*) as active_customers
    from active_months
    group by cohort_month, months_since_first

),

final as (

    select
        -- ids
        {{ surrogate_key(['cohort_grid.cohort_month', 'cohort_grid.months_since_first']) }}
            as cohort_month_id,

        -- numerics
        cohort_grid.months_since_first,
        cohort_grid.cohort_size,
        coalesce(activity.active_customers, 0) as active_customers,
        cast(coalesce(activity.active_customers, 0) as double)
        / cohort_grid.cohort_size as retention_rate,

        -- dates
        cohort_grid.cohort_month

    from cohort_grid
    left join activity
        on
            cohort_grid.cohort_month = activity.cohort_month
            and cohort_grid.months_since_first = activity.months_since_first

)

select * from final
