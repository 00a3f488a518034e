with

sessions as (

    select * from {{ ref('fct_sessions') }}

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
        session_date

    from daily

)

select * from final
