{#- Incremental by load batch (see the model's description): an incremental run takes the
    request rows of new batches and lets each compete with the stored row of the same request_id
    (the latest delivery wins); delete+insert on request_id writes the winners. -#}
{{ config(
    materialized='incremental',
    unique_key='request_id',
    incremental_strategy='delete+insert',
    on_schema_change='sync_all_columns',
    pre_hook="{{ delete_rows_of_other_config(['ref_api_endpoints'], include_pii_salt=true) }}",
    meta={'export_partition_column': 'request_date'},
) }}

{%- set request_columns = [
    'request_id', 'user_id', 'session_id', 'service', 'http_method', 'endpoint',
    'client_ip_hash', 'user_agent', 'error_class', 'status_code', 'latency_ms', 'response_bytes',
    'latency_target_ms', 'is_server_error', 'is_client_error', 'is_known_endpoint',
    'is_over_latency_target', 'request_date', 'requested_at',
    'file_id', 'file_name', 'file_business_date', 'file_row_number', 'batch_id',
] %}

with

new_requests as (

    select
        *,
        {{ pii_hash('client_ip') }} as client_ip_hash
    from {{ ref('int_api_requests_classified') }}
    {% if is_incremental() %}
        where batch_id > {{ incremental_watermark() }}
    {% endif %}

),

run_watermark as (

    -- the highest batch of the input this run: every row written records it
    {{ new_rows_watermark('new_requests') }}

),

candidates as (

    select
        {{ request_columns | join(',\n        ') }},
        false as is_stored
    from new_requests
    {% if is_incremental() %}

    union all

    -- the stored row of each request delivered again
    {{ stored_rows_delivered_again(
        'new_requests', 'request_id', request_columns, 'true as is_stored',
    ) }}
    {% endif %}

),

ranked as (

    select
        *,
        row_number() over (
            partition by request_id
            order by {{ latest_first('delivery') }}
        ) as delivery_rank
    from candidates

),

final as (

    -- requests whose winning row is new (a stored winner that still wins needs nothing)
    select
        -- ids
        request_id,
        user_id,
        session_id,

        -- strings
        service,
        http_method,
        endpoint,
        client_ip_hash,
        user_agent,
        error_class,

        -- numerics
        status_code,
        latency_ms,
        response_bytes,
        latency_target_ms,

        -- booleans
        is_server_error,
        is_client_error,
        is_known_endpoint,
        is_over_latency_target,

        -- dates
        request_date,

        -- timestamps
        requested_at,

        -- lineage of the winning delivery
        file_id,
        file_name,
        file_business_date,
        file_row_number,
        batch_id,

        -- incremental bookkeeping
        (select run_watermark.watermark_batch_id from run_watermark) as watermark_batch_id,
        {{ run_started_timestamp() }} as processed_at,
        {{ sql_string(config_fingerprint(['ref_api_endpoints'], include_pii_salt=true)) }}
            as config_fingerprint

    from ranked
    where
        delivery_rank = 1
        and not is_stored

)

select * from final
