{#- Grows with every delivery: stages new loader batches only, and restages everything after a
    config edit (the pre-hook deletes rows of another config fingerprint). -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_rows_of_other_config() }}"
) }}
-- depends_on: {{ ref('cfg_business_rules') }}

with

source as (

    select * from {{ source('raw', 'api_logs') }}
    {{ new_batches_only() }}

),

typed as (

    select
        {{ lineage_columns() }},

        -- ids
        request_id,
        user_id,
        session_id,

        -- strings
        service,
        method,
        endpoint,
        client_ip,
        user_agent,

        -- numerics
        {{ to_integer('status_code') }} as status_code,
        {{ to_number('latency_ms') }} as latency_ms,
        {{ to_integer('response_bytes') }} as response_bytes,

        -- timestamps
        {{ to_utc_timestamp('ts') }} as ts,

        -- delivered text of the typed columns, for the type rules
        status_code as delivered_status_code,
        latency_ms as delivered_latency_ms,
        response_bytes as delivered_response_bytes,
        ts as delivered_ts

    from source

),

judged as (

    select
        *,
        {{ rule_breaks('api_logs') }} as rule_breaks,
        {{ is_duplicate_in_file(['request_id']) }} as is_duplicate_in_file
    from typed

),

renamed as (

    select
        -- lineage
        file_id,
        file_name,
        file_hash,
        file_business_date,
        file_row_number,
        loaded_at,
        batch_id,

        -- ids
        request_id,
        user_id,
        session_id,

        -- strings
        service,
        method as http_method,
        endpoint,
        client_ip,
        user_agent,

        -- numerics
        status_code,
        latency_ms,
        response_bytes,

        -- timestamps
        ts as requested_at,

        -- quality
        rule_breaks,
        is_duplicate_in_file,
        {{ sql_string(config_fingerprint()) }} as config_fingerprint,
        {{ run_started_timestamp() }} as staged_at

    from judged

)

select * from renamed
