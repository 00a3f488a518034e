{#- Incremental by day (see the model's description): an incremental run recomputes the days
    with a session fct_sessions wrote since this model last ran, or whose session count changed;
    delete+insert on session_date. -#}
{{ config(
    materialized='incremental',
    unique_key='session_date',
    incremental_strategy='delete+insert',
    on_schema_change='sync_all_columns',
    pre_hook="{{ delete_days_without_rows('session_date', 'fct_sessions') }}",
) }}

with

{% if is_incremental() %}
changed_days as (

    -- days with a session written since this model last ran (new, delivered again, or with a
    -- changed conversion)
    select distinct session_date
    from {{ ref('fct_sessions') }}
    where processed_at > {{ processed_at_watermark() }}
    union
    -- days whose session count is not the stored one (a session moved to another day)
    select sessions_now.session_date
    from (
        select
            session_date,
            count(*) as sessions
        from {{ ref('fct_sessions') }}
        group by session_date
    ) as sessions_now
    left join (
        select
            session_date,
            sum(sessions) as sessions
        from {{ this }}
        group by session_date
    ) as stored_days
        on sessions_now.session_date = stored_days.session_date
    where stored_days.sessions is distinct from sessions_now.sessions

),

{% endif %}
sessions as (

    select * from {{ ref('fct_sessions') }}
    {% if is_incremental() %}
        where session_date in (select changed_days.session_date from changed_days)
    {% endif %}

),

daily as (

    select
        session_date,
        traffic_source,
        device_type,
        count(*) as sessions,
        count(case when is_converted then 1 end) as converted_sessions,
        count(case when is_bounce then 1 end) as bounced_sessions,
        count(is_bounce) as sessions_with_page_views,
        sum(duration_s) as total_duration_s,
        count(duration_s) as sessions_with_duration
    from sessions
    group by session_date, traffic_source, device_type

),

final as (

    select
        -- ids
        {{ surrogate_key(['session_date', 'traffic_source', 'device_type']) }}
            as daily_conversion_id,

        -- strings
        traffic_source,
        device_type,

        -- numerics
        sessions,
        converted_sessions,
        bounced_sessions,
        cast(converted_sessions as double) / sessions as conversion_rate,
        case
            when sessions_with_page_views > 0
                then cast(bounced_sessions as double) / sessions_with_page_views
        end as bounce_rate,
        case
            when sessions_with_duration > 0 then total_duration_s / sessions_with_duration
        end as avg_duration_s,

        -- dates
        session_date,

        -- incremental bookkeeping
        {{ run_started_timestamp() }} as processed_at

    from daily

)

select * from final
