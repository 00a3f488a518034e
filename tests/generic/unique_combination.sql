{#- The combination of columns identifies a row: no two rows share it (a primary key). With
    `written_at`, only the rows the latest run wrote are checked against every row, or among
    themselves with `within_latest_run` (see primary_key and macro latest_run_key_failures). -#}
{% test unique_combination(model, columns, written_at=none, within_latest_run=false) %}

{%- if checks_latest_run_only(written_at) %}
{{ latest_run_key_failures(model, columns, written_at, within_latest_run) }}
{%- else %}
select
    {{ columns | join(', ') }},
    count(*) as occurrences
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{%- endif %}

{% endtest %}
