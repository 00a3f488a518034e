{#- The classic cohort triangle: one row per cohort month, the retention of months 0 to 12 as
    columns month_0 .. month_12 (null where the month is not observed yet). Compile with
    `dbt compile --select cohort_retention_pivot` and run the SQL in target/compiled/. -#}
{%- set months = 12 %}

with

cohorts as (

    select * from {{ ref('agg_customer_cohorts') }}

),

final as (

    select
        cohort_month,
        {% for k in range(months + 1) %}
            max(case when months_since_first = {{ k }} then retention_rate end) as month_{{ k }},
        {% endfor %}
        max(cohort_size) as cohort_size
    from cohorts
    group by cohort_month

)

select * from final
order by cohort_month
