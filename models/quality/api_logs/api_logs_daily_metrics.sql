{#- The API-log series the anomaly detector scores (quality.api_logs_anomalies): row_volume
    (delivered rows per business date), api_server_error_rate (status >= 500 / requests) and
    api_p95_latency_ms per UTC request day, from the all-endpoints rows of
    marts.agg_api_health_daily; the denominator is the day's requests. -#}
with

row_volume as (

    {{ daily_row_volume('api_logs') }}

),

api_health as (

    select * from {{ ref('agg_api_health_daily') }}
    where is_all_endpoints

),

server_error_rate as (

    select
        'api_server_error_rate' as metric,
        'api_logs' as source,
        request_date as day,
        cast(server_error_rate as double) as value,
        cast(requests as double) as denominator
    from api_health

),

p95_latency as (

    select
        'api_p95_latency_ms' as metric,
        'api_logs' as source,
        request_date as day,
        cast(p95_ms as double) as value,
        cast(requests as double) as denominator
    from api_health
    where p95_ms is not null

),

final as (

    select * from row_volume
    union all
    select * from server_error_rate
    union all
    select * from p95_latency

)

select * from final
