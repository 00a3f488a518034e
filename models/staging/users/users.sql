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

    select * from {{ source('raw', 'users') }}
    {{ new_batches_only() }}

),

typed as (

    select
        {{ lineage_columns() }},

        -- ids
        user_id,

        -- strings
        email,
        first_name,
        last_name,
        country_code,
        city,

        -- booleans
        {{ to_boolean('marketing_opt_in') }} as marketing_opt_in,

        -- dates
        {{ to_date('birth_date') }} as birth_date,

        -- timestamps
        {{ to_utc_timestamp('signup_at') }} as signup_at,
        {{ to_utc_timestamp('updated_at') }} as updated_at,

        -- delivered text of the typed columns, for the type rules
        marketing_opt_in as delivered_marketing_opt_in,
        birth_date as delivered_birth_date,
        signup_at as delivered_signup_at,
        updated_at as delivered_updated_at

    from source

),

judged as (

    select
        *,
        {{ rule_breaks('users') }} as rule_breaks,
        {{ is_duplicate_in_file(['user_id', 'updated_at']) }} as is_duplicate_in_file
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
        user_id,

        -- strings
        email,
        first_name,
        last_name,
        country_code,
        city,

        -- booleans
        marketing_opt_in as is_marketing_opt_in,

        -- dates
        birth_date,

        -- timestamps
        signup_at,
        updated_at,

        -- quality
        rule_breaks,
        is_duplicate_in_file,
        {{ sql_string(config_fingerprint()) }} as config_fingerprint,
        {{ run_started_timestamp() }} as staged_at

    from judged

)

select * from renamed
