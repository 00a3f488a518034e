{#- Series of delivered rows per business day of one source (metric row_volume), every day from
    the first to the last business date of any delivered file, a day without rows counting 0. -#}
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

rows_per_day as (

    select
        file_business_date as day,
        count(*) as row_count
    from {{ ref(source) }}
    group by file_business_date

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
