with

requests as (

    select * from {{ ref('int_api_logs_validated') }}

),

endpoints as (

    select * from {{ ref('ref_api_endpoints') }}

),

final as (

    select
        -- ids
        requests.request_id,
        requests.user_id,
        requests.session_id,

        -- strings
        requests.service,
        requests.http_method,
        requests.endpoint,
        requests.client_ip,
        requests.user_agent,
        case
            when requests.status_code >= 500 then 'server_error'
            when requests.status_code >= 400 then 'client_error'
            when requests.status_code is not null then 'ok'
        end as error_class,

        -- numerics
        requests.status_code,
        requests.latency_ms,
        requests.response_bytes,
        endpoints.latency_target_ms,

        -- booleans
        coalesce(requests.status_code >= 500, false) as is_server_error,
        coalesce(requests.status_code between 400 and 499, false) as is_client_error,
        endpoints.endpoint is not null as is_known_endpoint,
        requests.latency_ms > endpoints.latency_target_ms as is_over_latency_target,

        -- dates
        cast(requests.requested_at as date) as request_date,

        -- timestamps
        requests.requested_at,

        -- lineage
        requests.file_id,
        requests.file_name,
        requests.file_business_date,
        requests.file_row_number,
        requests.batch_id,

        -- incremental bookkeeping
        requests.staged_at

    from requests
    left join endpoints
        on
            requests.http_method = endpoints.http_method
            and requests.endpoint = endpoints.endpoint

)

select * from final
