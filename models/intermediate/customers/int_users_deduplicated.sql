with

users as (

    select * from {{ ref('int_users_validated') }}

),

ranked as (

    select
        *,
        row_number() over (
            partition by user_id
            order by {{ latest_first('updated_at') }}
        ) as version_rank,
        count(*) over (partition by user_id) as delivered_versions_count
    from users

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
        delivered_versions_count,

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
        batch_id

    from ranked
    where version_rank = 1

)

select * from final
