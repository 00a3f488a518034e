{#- Incremental by day (see the model's description): an incremental run recomputes the days
    with a request fct_api_requests wrote since this model last ran, or whose request count
    changed; delete+insert on request_date. -#}
{{ config(
    materialized='incremental',
    unique_key='request_date',
    incremental_strategy='delete+insert',
    on_schema_change='sync_all_columns',
    pre_hook="{{ delete_days_without_rows('request_date', 'fct_api_requests') }}",
) }}
{%- set all_endpoints = var('all_endpoints_label', 'all') %}

with

{% if is_incremental() %}
changed_days as (

    -- days with a request written since this model last ran (new or delivered again)
    select distinct request_date
    from {{ ref('fct_api_requests') }}
    where processed_at > {{ processed_at_watermark() }}
    union
    -- days whose request count is not the stored one (a request moved to another day)
    select requests_now.request_date
    from (
        select
            request_date,
            count(*) as requests
        from {{ ref('fct_api_requests') }}
        group by request_date
    ) as requests_now
    left join {{ this }} as stored_days
        on
            requests_now.request_date = stored_days.request_date
            and stored_days.is_all_endpoints
    where stored_days.requests is distinct from requests_now.requests

),

{% endif %}
requests as (

    select * from {{ ref('fct_api_requests') }}
    {% if is_incremental() %}
        where request_date in (select changed_days.request_date from changed_days)
    {% endif %}

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
        -- p50, p95 and p99 from one aggregate (one copy of the latencies per group)
        {{ quantiles_linear('latency_ms', [0.5, 0.95, 0.99]) }} as latency_quantiles,
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
        -- p50, p95 and p99 from one aggregate (one copy of the latencies per group)
        {{ quantiles_linear('latency_ms', [0.5, 0.95, 0.99]) }} as latency_quantiles,
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
        {{ list_element('latency_quantiles', 1) }} as p50_ms,
        {{ list_element('latency_quantiles', 2) }} as p95_ms,
        {{ list_element('latency_quantiles', 3) }} as p99_ms,
        max_latency_ms,

        -- booleans
        is_all_endpoints,

        -- dates
        request_date,

        -- incremental bookkeeping
        {{ run_started_timestamp() }} as processed_at

    from unioned

)

select * from final
