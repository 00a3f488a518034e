with

sessions as (

    select * from {{ ref('int_sessions_validated') }}

),

final as (

    select
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
        {{ seconds_between('started_at', 'ended_at') }} as duration_s,

        -- booleans
        page_views = 1 as is_bounce,

        -- dates
        cast(started_at as date) as session_date,

        -- timestamps
        started_at,
        ended_at,

        -- lineage
        file_id,
        file_name,
        file_business_date,
        file_row_number,
        batch_id,

        -- incremental bookkeeping
        staged_at

    from sessions

)

select * from final
