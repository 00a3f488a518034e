{#- The column (as a column test) or the combination of columns (argument `columns`) identifies
    a row: never null, never repeated. One query instead of a not_null and a unique test.
    With `written_at` (the column that holds when the run that wrote a row started), only the
    rows the latest run wrote are checked against every row (macro latest_run_key_failures):
    every key was checked when its row was written; `--vars '{data_tests_all_rows: true}'`
    checks every row again. -#}
{% test primary_key(model, column_name=none, columns=none, written_at=none, within_latest_run=false) %}
{%- set key = columns if columns else [column_name] -%}

{%- if checks_latest_run_only(written_at) %}
{{ latest_run_key_failures(model, key, written_at, within_latest_run, check_nulls=true) }}
{%- else %}
select
    {{ key | join(', ') }},
    count(*) as occurrences
from {{ model }}
group by {{ key | join(', ') }}
having count(*) > 1
    {%- for column in key %}
    or {{ column }} is null
    {%- endfor %}
{%- endif %}

{% endtest %}
