{#- Series of delivered rows per business day of one source (metric row_volume), every day from
    the first to the last business date of any delivered file, a day without rows counting 0.
    A delivery whose bytes were already loaded (e.g. an unchanged daily catalogue) counts the
    rows it carried on its own date: the platform did deliver them, they were loaded once. -#}
{% macro daily_row_volume(source) -%}

with

delivered_days as (

    select
        min(business_date) as first_day,
        max(business_date) as last_day
    from {{ ref('delivered_files') }}
    where business_date is not null

),

calendar as (

    {{ date_spine_between('delivered_days.first_day', 'delivered_days.last_day', 'delivered_days') }}

),

loaded_rows as (

    select
        file_business_date as day,
        count(*) as row_count
    from {{ ref(source) }}
    group by file_business_date

),

duplicate_deliveries as (

    select
        duplicate.business_date as day,
        original.row_count
    from {{ ref('delivered_files') }} as duplicate
    inner join {{ ref('delivered_files') }} as original
        on duplicate.duplicate_of_file_id = original.file_id
    where duplicate.outcome = 'duplicate'
        and duplicate.source = {{ sql_string(source) }}

),

rows_per_day as (

    select
        day,
        sum(row_count) as row_count
    from (
        select * from loaded_rows
        union all
        select * from duplicate_deliveries
    ) as delivered
    group by day

),

final as (

    select
        'row_volume' as metric,
        {{ sql_string(source) }} as source,
        calendar.day,
        cast(coalesce(rows_per_day.row_count, 0) as double) as value,
        cast(null as double) as denominator
    from calendar
    left join rows_per_day
        on calendar.day = rows_per_day.day

)

select * from final

{%- endmacro %}
