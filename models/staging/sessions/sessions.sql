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

    select * from {{ source('raw', 'sessions') }}
    {{ new_batches_only() }}

),

typed as (

    select
        {{ lineage_columns() }},

        -- ids
        session_id,
        user_id,

        -- strings
        device_type,
        os,
        browser,
        traffic_source,
        campaign,
        country_code,
        landing_page,

        -- numerics
        {{ to_integer('page_views') }} as page_views,
        {{ to_integer('product_views') }} as product_views,
        {{ to_integer('add_to_cart_count') }} as add_to_cart_count,

        -- timestamps
        {{ to_utc_timestamp('started_at') }} as started_at,
        {{ to_utc_timestamp('ended_at') }} as ended_at,

        -- delivered text of the typed columns, for the type rules
        page_views as delivered_page_views,
        product_views as delivered_product_views,
        add_to_cart_count as delivered_add_to_cart_count,
        started_at as delivered_started_at,
        ended_at as delivered_ended_at

    from source

),

judged as (

    select
        *,
        {{ rule_breaks('sessions') }} as rule_breaks,
        {{ is_duplicate_in_file(['session_id']) }} as is_duplicate_in_file
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
        session_id,
        user_id,

        -- strings
        device_type,
        os,
        browser,
        traffic_source,
        campaign,
        country_code,
        landing_page,

        -- numerics
        page_views,
        product_views,
        add_to_cart_count,

        -- timestamps
        started_at,
        ended_at,

        -- quality
        rule_breaks,
        is_duplicate_in_file,
        {{ sql_string(config_fingerprint()) }} as config_fingerprint,
        {{ run_started_timestamp() }} as staged_at

    from judged

)

select * from renamed
