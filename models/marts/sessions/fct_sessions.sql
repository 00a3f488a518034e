{#- Incremental by load batch (see the model's description): an incremental run takes the
    session rows of new batches, lets each compete with the stored row of the same session_id
    (the latest delivery wins), and refreshes the stored sessions whose orders changed;
    delete+insert on session_id writes the winners. -#}
{{ config(
    materialized='incremental',
    unique_key='session_id',
    incremental_strategy='delete+insert',
    on_schema_change='sync_all_columns',
    pre_hook="{{ delete_rows_of_other_config() }}",
    meta={'export_partition_column': 'session_date'},
) }}

{%- set session_columns = [
    'session_id', 'user_id', 'device_type', 'os', 'browser', 'traffic_source', 'campaign',
    'country_code', 'landing_page', 'page_views', 'product_views', 'add_to_cart_count',
    'duration_s', 'is_bounce', 'session_date', 'started_at', 'ended_at',
    'file_id', 'file_name', 'file_business_date', 'file_row_number', 'batch_id',
] %}

with

new_sessions as (

    select * from {{ ref('int_sessions_measured') }}
    {% if is_incremental() %}
        where batch_id > {{ incremental_watermark() }}
    {% endif %}

),

orders_per_session as (

    select * from {{ ref('int_orders_pivoted_to_sessions') }}

),

run_watermark as (

    -- the highest batch of the input this run: every row written records it
    {{ new_rows_watermark('new_sessions') }}

),

candidates as (

    select
        {{ session_columns | join(',\n        ') }},
        false as is_stored
    from new_sessions
    {% if is_incremental() %}

    union all

    -- the stored row of each session delivered again
    {{ stored_rows_delivered_again(
        'new_sessions', 'session_id', session_columns, 'true as is_stored',
    ) }}
    {% endif %}

),

ranked as (

    select
        *,
        row_number() over (
            partition by session_id
            order by {{ latest_first('delivery') }}
        ) as delivery_rank
    from candidates

),

new_winners as (

    -- sessions whose winning row is new (a stored winner that still wins needs nothing)
    select * from ranked
    where
        delivery_rank = 1
        and not is_stored

),

{% if is_incremental() %}
changed_conversions as (

    -- stored sessions whose orders are not what the stored row says
    select coalesce(orders_now.session_id, orders_stored.session_id) as session_id
    from orders_per_session as orders_now
    full outer join (
        select
            session_id,
            orders_count,
            recognised_orders_count,
            first_recognised_order_at
        from {{ this }}
        where orders_count > 0
    ) as orders_stored
        on orders_now.session_id = orders_stored.session_id
    where orders_now.orders_count is distinct from orders_stored.orders_count
        or orders_now.recognised_orders_count
        is distinct from orders_stored.recognised_orders_count
        or orders_now.first_recognised_order_at
        is distinct from orders_stored.first_recognised_order_at

),

refreshed_sessions as (

    select
        {% for column in session_columns -%}
            stored_sessions.{{ column }}{{ "," if not loop.last }}
        {% endfor %}
    from {{ this }} as stored_sessions
    inner join changed_conversions
        on stored_sessions.session_id = changed_conversions.session_id
    left join new_winners
        on stored_sessions.session_id = new_winners.session_id
    where new_winners.session_id is null

),

{% endif %}
sessions as (

    select
        {{ session_columns | join(',\n        ') }}
    from new_winners
    {% if is_incremental() %}

    union all

    select * from refreshed_sessions
    {% endif %}

),

final as (

    select
        -- ids
        sessions.session_id,
        sessions.user_id,

        -- strings
        sessions.device_type,
        sessions.os,
        sessions.browser,
        sessions.traffic_source,
        sessions.campaign,
        sessions.country_code,
        sessions.landing_page,

        -- numerics
        sessions.page_views,
        sessions.product_views,
        sessions.add_to_cart_count,
        sessions.duration_s,
        coalesce(orders_per_session.orders_count, 0) as orders_count,
        coalesce(orders_per_session.recognised_orders_count, 0) as recognised_orders_count,

        -- booleans
        sessions.is_bounce,
        coalesce(orders_per_session.recognised_orders_count, 0) > 0 as is_converted,

        -- dates
        sessions.session_date,

        -- timestamps
        sessions.started_at,
        sessions.ended_at,
        orders_per_session.first_recognised_order_at,

        -- lineage of the winning delivery
        sessions.file_id,
        sessions.file_name,
        sessions.file_business_date,
        sessions.file_row_number,
        sessions.batch_id,

        -- incremental bookkeeping
        (select run_watermark.watermark_batch_id from run_watermark) as watermark_batch_id,
        {{ run_started_timestamp() }} as processed_at,
        {{ sql_string(config_fingerprint()) }} as config_fingerprint

    from sessions
    left join orders_per_session
        on sessions.session_id = orders_per_session.session_id

)

select * from final
-- stored in day order: zone maps then let the Parquet export of one day read only that day's row
-- groups (export_parquet_by_day), and fct_session_orders, built from this model, comes out in
-- about the same order without a sort of its own
order by session_date
