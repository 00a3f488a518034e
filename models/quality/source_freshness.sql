with

delivered_files as (

    select * from {{ ref('delivered_files') }}

),

limits as (

    select * from {{ ref('cfg_freshness_limits') }}

),

latest_loads as (

    select
        source,
        max(loaded_at) as last_loaded_at,
        max(business_date) as last_business_date
    from delivered_files
    where outcome = 'loaded'
    group by source

),

ages as (

    select
        limits.source,
        latest_loads.last_loaded_at,
        latest_loads.last_business_date,
        limits.warn_after_hours,
        limits.error_after_hours,
        {{ dbt.datediff('latest_loads.last_loaded_at', dbt.current_timestamp(), 'minute') }}
        / 60.0 as hours_since_last_load
    from limits
    left join latest_loads
        on limits.source = latest_loads.source

),

final as (

    select
        source,
        last_loaded_at,
        last_business_date,
        hours_since_last_load,
        warn_after_hours,
        error_after_hours,
        case
            when last_loaded_at is null then 'error'
            when hours_since_last_load > error_after_hours then 'error'
            when hours_since_last_load > warn_after_hours then 'warn'
            else 'pass'
        end as freshness_status
    from ages

)

select * from final
