{#- Incremental by load batch (see the model's description): an incremental run takes the user
    rows of new batches, lets them compete with the stored winner of the same user_id and adds
    their count to the stored versions count; delete+insert on user_id writes those users. -#}
{{ config(
    materialized='incremental',
    unique_key='user_id',
    incremental_strategy='delete+insert',
    on_schema_change='sync_all_columns',
    pre_hook="{{ delete_rows_of_other_config() }}",
) }}

{%- set user_columns = [
    'user_id', 'email', 'first_name', 'last_name', 'country_code', 'city',
    'is_marketing_opt_in', 'birth_date', 'signup_at', 'updated_at',
    'file_id', 'file_name', 'file_business_date', 'file_row_number', 'batch_id',
] %}

with

new_users as (

    select * from {{ ref('int_users_validated') }}
    {% if is_incremental() %}
        where batch_id > {{ incremental_watermark() }}
    {% endif %}

),

run_watermark as (

    -- the highest batch of the input this run: every row written records it
    {{ new_rows_watermark('new_users') }}

),

versions as (

    -- every new version counts one; a stored winner counts the versions it won over
    select
        {{ user_columns | join(',\n        ') }},
        cast(1 as bigint) as versions_count
    from new_users
    {% if is_incremental() %}

    union all

    -- the stored winner of each user delivered again, with the versions it won over
    {{ stored_rows_delivered_again(
        'new_users', 'user_id', user_columns,
        'stored_rows.delivered_versions_count as versions_count',
    ) }}
    {% endif %}

),

ranked as (

    select
        *,
        row_number() over (
            partition by user_id
            order by {{ latest_first('updated_at') }}
        ) as version_rank,
        sum(versions_count) over (partition by user_id) as delivered_versions_count
    from versions

),

final as (

    select
        -- ids
        user_id,

        -- strings
        email,
        first_name,
        last_name,
        country_code,
        city,

        -- numerics
        cast(delivered_versions_count as bigint) as delivered_versions_count,

        -- booleans
        is_marketing_opt_in,

        -- dates
        birth_date,

        -- timestamps
        signup_at,
        updated_at,

        -- lineage of the winning version
        file_id,
        file_name,
        file_business_date,
        file_row_number,
        batch_id,

        -- incremental bookkeeping
        (select run_watermark.watermark_batch_id from run_watermark) as watermark_batch_id,
        {{ run_started_timestamp() }} as processed_at,
        {{ sql_string(config_fingerprint()) }} as config_fingerprint

    from ranked
    where version_rank = 1

)

select * from final
