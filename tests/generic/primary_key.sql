{#- The column (as a column test) or the combination of columns (argument `columns`) identifies
    a row: never null, never repeated. One query instead of a not_null and a unique test. -#}
{% test primary_key(model, column_name=none, columns=none) %}
{%- set key = columns if columns else [column_name] -%}

select
    {{ key | join(', ') }},
    count(*) as occurrences
from {{ model }}
group by {{ key | join(', ') }}
having count(*) > 1
    {%- for column in key %}
    or {{ column }} is null
    {%- endfor %}

{% endtest %}
