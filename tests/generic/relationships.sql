{#- Replaces dbt's built-in `relationships` test (same arguments, same query), adding
    `written_at`: every non-null value of the column exists in `field` of `to`. With `written_at`
    (the column that holds when the run that wrote a row started), only the rows the latest run
    wrote are checked, against every row of `to`: every earlier row was checked when it was
    written, and the parents tested this way (incremental marts replacing a row by the row of the
    same key) never lose a key. `--vars '{data_tests_all_rows: true}'` checks every row again. -#}
{% test relationships(model, column_name, to, field, written_at=none) %}

with

child as (

    select {{ column_name }} as from_field
    from {{ model }}
    where
        {{ column_name }} is not null
        {%- if checks_latest_run_only(written_at) %}
        and {{ written_by_latest_run(model, written_at) }}
        {%- endif %}

),

parent as (

    select {{ field }} as to_field
    from {{ to }}

)

select child.from_field
from child
left join parent
    on child.from_field = parent.to_field
where parent.to_field is null

{% endtest %}
