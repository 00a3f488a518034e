{#- Incremental (see the model's description): an incremental run rebuilds the users
    int_users_deduplicated wrote since this model last ran and the users whose customer figures
    (from fct_orders) differ from the stored ones; delete+insert on user_id. -#}
{{ config(
    materialized='incremental',
    unique_key='user_id',
    incremental_strategy='delete+insert',
    on_schema_change='sync_all_columns',
    pre_hook="{{ delete_rows_of_other_config() }}",
) }}

{#- The columns a user's recognised orders decide (null or zero without one): what an
    incremental run compares with the stored rows. -#}
{%- set order_figures = [
    'orders_count', 'units', 'lifetime_net_revenue_eur', 'lifetime_margin_eur',
    'avg_order_value_eur', 'is_customer', 'is_repeat_customer', 'cohort_month',
    'first_order_at', 'last_order_at',
] %}

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

customer_figures as (

    -- the users with a recognised order, as the final columns show them
    select
        user_id,
        orders_count,
        coalesce(units, 0) as units,
        lifetime_net_revenue_eur,
        lifetime_margin_eur,
        lifetime_net_revenue_eur / orders_count as avg_order_value_eur,
        true as is_customer,
        orders_count > 1 as is_repeat_customer,
        cast({{ dbt.date_trunc('month', 'first_order_at') }} as date) as cohort_month,
        first_order_at,
        last_order_at
    from customer_orders

),

{% if is_incremental() %}
changed_users as (

    -- users int_users_deduplicated wrote since this model last ran
    select user_id
    from users
    where processed_at > {{ processed_at_watermark() }}
    union
    -- users whose figures differ from the stored ones (a customer new, changed or gone)
    select user_id
    from (
        (
            select
                user_id,
                {{ order_figures | join(',\n                ') }}
            from customer_figures
            except
            select
                user_id,
                {{ order_figures | join(',\n                ') }}
            from {{ this }}
            where is_customer
        )
        union all
        (
            select
                user_id,
                {{ order_figures | join(',\n                ') }}
            from {{ this }}
            where is_customer
            except
            select
                user_id,
                {{ order_figures | join(',\n                ') }}
            from customer_figures
        )
    ) as changed_figures

),

{% endif %}
users_to_build as (

    select users.*
    from users
    {% if is_incremental() %}
        inner join changed_users
            on users.user_id = changed_users.user_id
    {% endif %}

),

final as (

    select
        -- ids
        users_to_build.user_id,

        -- strings
        users_to_build.country_code,

        -- numerics
        coalesce(customer_figures.orders_count, 0) as orders_count,
        coalesce(customer_figures.units, 0) as units,
        case
            when customer_figures.user_id is null then 0
            else customer_figures.lifetime_net_revenue_eur
        end as lifetime_net_revenue_eur,
        case
            when customer_figures.user_id is null then 0
            else customer_figures.lifetime_margin_eur
        end as lifetime_margin_eur,
        customer_figures.avg_order_value_eur,

        -- booleans
        coalesce(customer_figures.is_customer, false) as is_customer,
        coalesce(customer_figures.is_repeat_customer, false) as is_repeat_customer,

        -- dates
        customer_figures.cohort_month,

        -- timestamps
        users_to_build.signup_at,
        customer_figures.first_order_at,
        customer_figures.last_order_at,

        -- incremental bookkeeping
        {{ run_started_timestamp() }} as processed_at,
        {{ sql_string(config_fingerprint()) }} as config_fingerprint

    from users_to_build
    left join customer_figures
        on users_to_build.user_id = customer_figures.user_id

)

select * from final
