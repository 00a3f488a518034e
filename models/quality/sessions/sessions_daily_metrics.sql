{#- The sessions series the anomaly detector scores (quality.sessions_anomalies): row_volume
    (delivered rows per business date) and conversion_rate (converted sessions / sessions per UTC
    session day, from marts.agg_daily_conversion; the denominator is the day's sessions). -#}
with

row_volume as (

    {{ daily_row_volume('sessions') }}

),

daily_conversion as (

    select * from {{ ref('agg_daily_conversion') }}

),

daily as (

    select
        session_date as day,
        cast(sum(sessions) as bigint) as sessions,
        cast(sum(converted_sessions) as bigint) as converted_sessions
    from daily_conversion
    group by session_date

),

conversion as (

    select
        'conversion_rate' as metric,
        'sessions' as source,
        day,
        cast(converted_sessions as double) / sessions as value,
        cast(sessions as double) as denominator
    from daily
    where sessions > 0

),

final as (

    select * from row_volume
    union all
    select * from conversion

)

select * from final
