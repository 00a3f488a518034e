{#- Body of quality.<source>_file_checks: one row per delivered file of the source and check,
    with the observed value, the threshold from config, numerator and denominator, and the
    verdict. Completeness is the share of rows with a delivered value (a malformed value is
    delivered: its type rule quarantines the row, completeness does not count it twice). A file the loader rejected, or whose bytes were already loaded, has only its
    structure check. -#}
{% macro file_checks_model(source, duplicate_rows=true) -%}
{%- set completeness_columns = get_completeness_columns(source) -%}

with

files as (

    select * from {{ ref('delivered_files') }}
    where source = {{ sql_string(source) }}
        and outcome in ('loaded', 'rejected', 'duplicate')

),

thresholds as (

    select * from {{ ref('cfg_file_thresholds') }}
    where source = {{ sql_string(source) }}

),

staged as (

    select * from {{ ref(source) }}

),

break_figures as (

    {#- A value that breaks its type rule was delivered (it counts as filled in): the typed
        staging column holds null for it. -#}
    select
        file_id,
        {% for column in completeness_columns -%}
        count(distinct case
            when rule_name = {{ sql_string(source ~ '_' ~ column ~ '_type') }}
                then file_row_number
        end) as malformed_{{ column }},
        {% endfor -%}
        count(distinct case when severity = 'error' then file_row_number end) as quarantined_rows
    from {{ ref(source ~ '_row_breaks') }}
    group by file_id

),

file_figures as (

    select
        file_id,
        count(*) as row_count,
        {% if duplicate_rows -%}
        sum(case when is_duplicate_in_file then 1 else 0 end) as duplicate_rows,
        {%- else -%}
        0 as duplicate_rows,
        {%- endif %}
        {% for column in completeness_columns -%}
        count({{ staging_column_name(source, column) }}) as filled_{{ column }},
        {% endfor -%}
        max(loaded_at) as loaded_at
    from staged
    group by file_id

),

loaded_files as (

    select
        files.file_id,
        files.file_name,
        files.business_date,
        coalesce(file_figures.row_count, 0) as row_count,
        coalesce(file_figures.duplicate_rows, 0) as duplicate_rows,
        coalesce(break_figures.quarantined_rows, 0) as quarantined_rows
        {%- for column in completeness_columns %},
        coalesce(file_figures.filled_{{ column }}, 0)
        + coalesce(break_figures.malformed_{{ column }}, 0) as filled_{{ column }}
        {%- endfor %}
    from files
    left join file_figures
        on files.file_id = file_figures.file_id
    left join break_figures
        on files.file_id = break_figures.file_id
    where files.outcome = 'loaded'

),

structure_checks as (

    select
        file_id,
        file_name,
        business_date,
        'structure' as check_name,
        cast(null as varchar) as column_name,
        cast(null as double) as observed_value,
        cast(null as double) as threshold,
        cast(null as bigint) as numerator,
        cast(null as bigint) as denominator,
        outcome = 'loaded' as passed,
        (select max(severity) from thresholds) as severity,
        case outcome
            when 'loaded' then 'the file was read and every required column is present'
            when 'duplicate' then 'the same bytes were already delivered (file id '
                || cast(duplicate_of_file_id as varchar) || '); loaded once'
            else {{ loader_reasons_text('reasons') }}
        end as message
    from files

),

row_count_checks as (

    select
        loaded_files.file_id,
        loaded_files.file_name,
        loaded_files.business_date,
        'min_rows' as check_name,
        cast(null as varchar) as column_name,
        cast(loaded_files.row_count as double) as observed_value,
        thresholds.threshold,
        loaded_files.row_count as numerator,
        cast(null as bigint) as denominator,
        loaded_files.row_count >= thresholds.threshold as passed,
        thresholds.severity,
        cast(loaded_files.row_count as varchar) || ' data rows (at least '
            || cast(cast(thresholds.threshold as bigint) as varchar) || ' expected)' as message
    from loaded_files
    inner join thresholds
        on thresholds.check_name = 'min_rows'

),

share_checks as (

    {%- set shares = [
        ('max_quarantined_share', 'quarantined_rows', 'rows break an error rule'),
        ('max_duplicate_share', 'duplicate_rows', 'rows repeat the key of an earlier row'),
    ] %}
    {% for check_name, numerator, words in shares %}
    select
        loaded_files.file_id,
        loaded_files.file_name,
        loaded_files.business_date,
        {{ sql_string(check_name) }} as check_name,
        cast(null as varchar) as column_name,
        {{ share('loaded_files.' ~ numerator, 'loaded_files.row_count') }} as observed_value,
        thresholds.threshold,
        loaded_files.{{ numerator }} as numerator,
        loaded_files.row_count as denominator,
        {{ share('loaded_files.' ~ numerator, 'loaded_files.row_count') }}
        <= thresholds.threshold as passed,
        thresholds.severity,
        cast(loaded_files.{{ numerator }} as varchar) || ' of '
        || cast(loaded_files.row_count as varchar) || ' {{ words }} ('
        || {{ percent_text(share('loaded_files.' ~ numerator, 'loaded_files.row_count')) }}
        || '; at most ' || {{ percent_text('thresholds.threshold') }} || ' allowed)' as message
    from loaded_files
    inner join thresholds
        on thresholds.check_name = {{ sql_string(check_name) }}
    {{ "union all" if not loop.last }}
    {% endfor %}

),

completeness_checks as (

    {% for column in completeness_columns %}
    select
        loaded_files.file_id,
        loaded_files.file_name,
        loaded_files.business_date,
        'min_completeness' as check_name,
        {{ sql_string(column) }} as column_name,
        {{ share('loaded_files.filled_' ~ column, 'loaded_files.row_count') }} as observed_value,
        thresholds.threshold,
        loaded_files.filled_{{ column }} as numerator,
        loaded_files.row_count as denominator,
        {{ share('loaded_files.filled_' ~ column, 'loaded_files.row_count') }}
        >= thresholds.threshold as passed,
        thresholds.severity,
        {{ sql_string(column ~ ' is filled in ') }}
        || {{ percent_text(share('loaded_files.filled_' ~ column, 'loaded_files.row_count')) }}
        || ' of rows (at least ' || {{ percent_text('thresholds.threshold') }}
        || ' required)' as message
    from loaded_files
    inner join thresholds
        on thresholds.check_name = 'min_completeness'
        and thresholds.column_name = {{ sql_string(column) }}
    union all
    {% endfor %}
    select
        cast(null as bigint) as file_id,
        cast(null as varchar) as file_name,
        cast(null as date) as business_date,
        cast(null as varchar) as check_name,
        cast(null as varchar) as column_name,
        cast(null as double) as observed_value,
        cast(null as double) as threshold,
        cast(null as bigint) as numerator,
        cast(null as bigint) as denominator,
        cast(null as boolean) as passed,
        cast(null as varchar) as severity,
        cast(null as varchar) as message
    where false

),

unioned as (

    select * from structure_checks
    union all
    select * from row_count_checks
    union all
    select * from share_checks
    union all
    select * from completeness_checks

),

final as (

    select
        {{ sql_string(source) }} as source,
        file_id,
        file_name,
        business_date,
        check_name,
        column_name,
        observed_value,
        threshold,
        numerator,
        denominator,
        passed,
        severity,
        message
    from unioned

)

select * from final

{%- endmacro %}
