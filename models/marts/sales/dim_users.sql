{#- Incremental (see the model's description): an incremental run takes the users
    int_users_deduplicated wrote since this model last ran; delete+insert on user_id. -#}
{{ config(
    materialized='incremental',
    unique_key='user_id',
    incremental_strategy='delete+insert',
    on_schema_change='sync_all_columns',
    pre_hook="{{ delete_rows_of_other_config(['ref_countries'], include_pii_salt=true) }}",
) }}

with

users as (

    select * from {{ ref('int_users_deduplicated') }}
    {% if is_incremental() %}
        where processed_at > {{ processed_at_watermark() }}
    {% endif %}

),

countries as (

    select * from {{ ref('ref_countries') }}

),

final as (

    select
        -- ids
        users.user_id,

        -- strings (personal data only as salted hashes: macros/marts/pii_hash.sql)
        {{ pii_hash('users.email') }} as email_hash,
        {{ pii_hash('users.first_name') }} as first_name_hash,
        {{ pii_hash('users.last_name') }} as last_name_hash,
        {{ pii_hash('users.birth_date') }} as birth_date_hash,
        users.country_code,
        countries.name as country_name,
        countries.region,
        users.city,

        -- numerics
        users.delivered_versions_count,

        -- booleans
        users.is_marketing_opt_in,
        countries.is_eu_member,

        -- dates
        cast(users.signup_at as date) as signup_date,

        -- timestamps
        users.signup_at,
        users.updated_at,

        -- incremental bookkeeping
        {{ run_started_timestamp() }} as processed_at,
        {{ sql_string(config_fingerprint(['ref_countries'], include_pii_salt=true)) }}
            as config_fingerprint

    from users
    left join countries
        on users.country_code = countries.code

)

select * from final
