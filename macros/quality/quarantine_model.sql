{#- Body of quality.<source>_quarantine: every delivered row kept out of the marts, with its file,
    row number and reasons: rows breaking an error rule, and every row of a rejected file.
    `record` holds the row as staged (typed values; personal data stays in this schema). -#}
{% macro quarantine_model(source, key_column) -%}

with

staged as (

    select * from {{ ref(source) }}

),

file_status as (

    select * from {{ ref(source ~ '_file_status') }}

),

error_breaks as (

    select
        file_id,
        file_row_number,
        {{ array_agg_ordered(
            "rule_name || coalesce(' (line ' || cast(line_number as varchar) || ')', '')
                || ': ' || message",
            'rule_name, line_number') }} as rule_reasons,
        {{ array_agg_ordered('rule_name', 'rule_name') }} as broken_rules
    from {{ ref(source ~ '_row_breaks') }}
    where severity = 'error'
    group by file_id, file_row_number

),

flagged as (

    select
        staged.file_id,
        staged.file_name,
        staged.file_row_number,
        staged.{{ key_column }} as record_key,
        file_status.status = 'rejected' as is_file_rejected,
        coalesce(error_breaks.broken_rules, {{ string_array([]) }}) as broken_rules,
        case
            when file_status.status = 'rejected'
                then {{ array_concat(
                    string_array([
                        "'file_rejected: the whole file was rejected ('
                        || " ~ array_join_text('file_status.reasons', '; ') ~ " || ')'"
                    ]),
                    'coalesce(error_breaks.rule_reasons, ' ~ string_array([]) ~ ')'
                ) }}
            else error_breaks.rule_reasons
        end as reasons,
        {{ row_as_json('staged') }} as record,
        staged.loaded_at
    from staged
    inner join file_status
        on staged.file_id = file_status.file_id
    left join error_breaks
        on staged.file_id = error_breaks.file_id
        and staged.file_row_number = error_breaks.file_row_number
    where file_status.status = 'rejected'
        or error_breaks.file_id is not null

),

final as (

    select
        {{ sql_string(source) }} as source,
        file_id,
        file_name,
        file_row_number,
        record_key,
        is_file_rejected,
        broken_rules,
        reasons,
        record,
        loaded_at
    from flagged

)

select * from final

{%- endmacro %}
