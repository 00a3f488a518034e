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

    select * from {{ source('raw', 'orders') }}
    {{ new_batches_only() }}

),

typed as (

    select
        {{ lineage_columns() }},

        -- ids
        order_id,
        user_id,
        session_id,

        -- strings
        status,
        currency,
        payment_method,
        shipping_country_code,
        coupon_code,

        -- numerics
        {{ to_number('shipping_cost', 'decimal(18, 2)') }} as shipping_cost,
        case
            when {{ json_type_is('items', 'array') }} then {{ json_array_size('items') }}
        end as items_count,

        -- json
        items,

        -- timestamps
        {{ to_utc_timestamp('ordered_at') }} as ordered_at,
        {{ to_utc_timestamp('updated_at') }} as updated_at,

        -- delivered text of the typed columns, for the type rules
        shipping_cost as delivered_shipping_cost,
        ordered_at as delivered_ordered_at,
        updated_at as delivered_updated_at

    from source

),

judged as (

    select
        *,
        {{ rule_breaks('orders') }} as rule_breaks,
        {{ is_duplicate_in_file(['order_id', 'updated_at']) }} as is_duplicate_in_file
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
        order_id,
        user_id,
        session_id,

        -- strings
        status,
        currency,
        payment_method,
        shipping_country_code,
        coupon_code,

        -- numerics
        shipping_cost,
        items_count,

        -- json
        items,

        -- timestamps
        ordered_at,
        updated_at,

        -- quality
        rule_breaks,
        is_duplicate_in_file,
        {{ sql_string(config_fingerprint()) }} as config_fingerprint,
        {{ run_started_timestamp() }} as staged_at

    from judged

)

select * from renamed
