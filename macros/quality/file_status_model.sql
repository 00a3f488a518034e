{#- Body of quality.<source>_file_status: one row per delivered file of the source, `validated`
    when every check of <source>_file_checks passed, else `rejected` with the failed checks'
    messages as reasons. -#}
{% macro file_status_model(source) -%}

with

files as (

    select * from {{ ref('delivered_files') }}
    where source = {{ sql_string(source) }}
        and outcome in ('loaded', 'rejected', 'duplicate')

),

checks as (

    select * from {{ ref(source ~ '_file_checks') }}

),

verdicts as (

    select
        file_id,
        count(*) as checks_count,
        sum(case when passed then 0 else 1 end) as failed_checks_count,
        {{ array_agg_ordered(
            "case when not passed then check_name || coalesce(':' || column_name, '') end",
            'check_name, column_name') }} as failed_checks,
        {{ array_agg_ordered(
            "case when not passed then message end", 'check_name, column_name') }} as reasons
    from checks
    group by file_id

),

final as (

    select
        files.file_id,
        files.file_name,
        files.source,
        files.business_date,
        files.file_hash,
        files.file_path,
        files.outcome as load_outcome,
        coalesce(files.row_count, 0) as row_count,
        case
            when verdicts.failed_checks_count = 0 then 'validated'
            else 'rejected'
        end as status,
        verdicts.reasons,
        verdicts.failed_checks,
        verdicts.checks_count,
        files.batch_id,
        files.loaded_at
    from files
    inner join verdicts
        on files.file_id = verdicts.file_id

)

select * from final

{%- endmacro %}
