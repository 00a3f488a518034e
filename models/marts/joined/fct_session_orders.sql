{#- Incremental (see the model's description): an incremental run rebuilds every row of the
    sessions fct_sessions wrote since this model last ran and of the sessions whose orders in
    fct_orders differ from the stored ones; delete+insert on session_id replaces all rows of
    those sessions. -#}
{{ config(
    materialized='incremental',
    unique_key='session_id',
    incremental_strategy='delete+insert',
    on_schema_change='sync_all_columns',
    pre_hook="{{ delete_rows_of_other_config() }}",
    meta={'export_partition_column': 'session_date'},
) }}

{#- The order columns of a row, as fct_orders names them and as this model does: what an
    incremental run compares to find the sessions whose orders changed. -#}
{%- set order_columns = [
    ('order_id', 'order_id'),
    ('user_id', 'order_user_id'),
    ('status', 'status'),
    ('currency', 'currency'),
    ('payment_method', 'payment_method'),
    ('shipping_country_code', 'shipping_country_code'),
    ('lines_count', 'lines_count'),
    ('units', 'units'),
    ('net_revenue_eur', 'net_revenue_eur'),
    ('margin_eur', 'margin_eur'),
    ('shipping_cost_eur', 'shipping_cost_eur'),
    ('is_recognised', 'is_recognised'),
    ('order_date', 'order_date'),
    ('ordered_at', 'ordered_at'),
] %}

with

sessions as (

    select * from {{ ref('fct_sessions') }}

),

orders as (

    select * from {{ ref('fct_orders') }}

),

{% if is_incremental() %}
orders_now as (

    select
        session_id,
        {% for column, name in order_columns -%}
            {{ column }} as {{ name }}{{ "," if not loop.last }}
        {% endfor %}
    from orders
    where session_id is not null

),

orders_stored as (

    select
        session_id,
        {% for column, name in order_columns -%}
            {{ name }}{{ "," if not loop.last }}
        {% endfor %}
    from {{ this }}
    where order_id is not null

),

changed_orders as (

    -- an order new or changed (its session now), changed or gone (its session then)
    (
        select * from orders_now
        except
        select * from orders_stored
    )
    union all
    (
        select * from orders_stored
        except
        select * from orders_now
    )

),

sessions_written as (

    -- sessions fct_sessions wrote since this model last ran (new, delivered again, or with a
    -- changed conversion); not read from the sessions CTE: DuckDB materialises a CTE read
    -- twice, and that one is the whole of fct_sessions
    select session_id
    from {{ ref('fct_sessions') }}
    where processed_at > {{ processed_at_watermark() }}

),

changed_sessions as (

    select session_id
    from sessions_written
    union
    select session_id
    from changed_orders

),

{% endif %}
sessions_to_build as (

    select sessions.*
    from sessions
    {% if is_incremental() %}
        inner join changed_sessions
            on sessions.session_id = changed_sessions.session_id
    {% endif %}

),

final as (

    select
        -- ids
        sessions_to_build.session_id || '|' || coalesce(orders.order_id, '') as session_order_id,
        sessions_to_build.session_id,
        orders.order_id,
        sessions_to_build.user_id as session_user_id,
        orders.user_id as order_user_id,

        -- strings
        sessions_to_build.device_type,
        sessions_to_build.os,
        sessions_to_build.browser,
        sessions_to_build.traffic_source,
        sessions_to_build.campaign,
        sessions_to_build.country_code,
        sessions_to_build.landing_page,
        orders.status,
        orders.currency,
        orders.payment_method,
        orders.shipping_country_code,

        -- numerics
        sessions_to_build.page_views,
        sessions_to_build.product_views,
        sessions_to_build.add_to_cart_count,
        sessions_to_build.duration_s,
        sessions_to_build.orders_count as session_orders_count,
        orders.lines_count,
        orders.units,
        orders.net_revenue_eur,
        orders.margin_eur,
        orders.shipping_cost_eur,
        {{ seconds_between('sessions_to_build.started_at', 'orders.ordered_at') }}
            as seconds_to_order,

        -- booleans
        sessions_to_build.is_bounce,
        sessions_to_build.is_converted,
        orders.order_id is not null as has_order,
        orders.is_recognised,

        -- dates
        sessions_to_build.session_date,
        orders.order_date,

        -- timestamps
        sessions_to_build.started_at,
        sessions_to_build.ended_at,
        orders.ordered_at,

        -- incremental bookkeeping
        {{ run_started_timestamp() }} as processed_at,
        {{ sql_string(config_fingerprint()) }} as config_fingerprint

    from sessions_to_build
    left join orders
        on sessions_to_build.session_id = orders.session_id

)

select * from final
