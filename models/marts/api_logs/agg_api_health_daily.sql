{%- set all_endpoints = var('all_endpoints_label', 'all') %}

with

requests as (

    select * from {{ ref('fct_api_requests') }}

),

per_endpoint as (

    select
        request_date,
        endpoint,
        false as is_all_endpoints,
        count(*) as requests,
        count(case when is_server_error then 1 end) as server_errors,
        count(case when is_client_error then 1 end) as client_errors,
        count(case when is_over_latency_target then 1 end) as slow_requests,
        count(is_over_latency_target) as requests_with_target,
        {{ quantile_linear('latency_ms', 0.5) }} as p50_ms,
        {{ quantile_linear('latency_ms', 0.95) }} as p95_ms,
        {{ quantile_linear('latency_ms', 0.99) }} as p99_ms,
        max(latency_ms) as max_latency_ms
    from requests
    group by request_date, endpoint

),

all_endpoints as (

    select
        request_date,
        {{ sql_string(all_endpoints) }} as endpoint,
        true as is_all_endpoints,
        count(*) as requests,
        count(case when is_server_error then 1 end) as server_errors,
        count(case when is_client_error then 1 end) as client_errors,
        count(case when is_over_latency_target then 1 end) as slow_requests,
        count(is_over_latency_target) as requests_with_target,
        {{ quantile_linear('latency_ms', 0.5) }} as p50_ms,
        {{ quantile_linear('latency_ms', 0.95) }} as p95_ms,
        {{ quantile_linear('latency_ms', 0.99) }} as p99_ms,
        max(latency_ms) as max_latency_ms
    from requests
    group by request_date

),

unioned as (

    select * from per_endpoint
    union all
    select * from all_endpoints

),

final as (

    select
        -- ids
        {{ surrogate_key(['request_date', 'endpoint']) }} as api_health_id,

        -- strings
        endpoint,

        -- numerics
        requests,
        server_errors,
        client_errors,
        cast(server_errors as double) / requests as server_error_rate,
        cast(client_errors as double) / requests as client_error_rate,
        case
            when requests_with_target > 0
                then cast(slow_requests as double) / requests_with_target
        end as slow_request_rate,
        p50_ms,
        p95_ms,
        p99_ms,
        max_latency_ms,

        -- booleans
        is_all_endpoints,

        -- dates
        request_date

    from unioned

)

select * from final
