{#- At least `min_share` of a column's non-null values are found in another model's field.
    Fails (or warns, as configured) with one row giving the share found. -#}
{% test relationships_share(model, column_name, to, field, min_share=1.0) %}

with

checked as (

    select {{ column_name }} as value
    from {{ model }}
    where {{ column_name }} is not null

),

referenced as (

    select distinct {{ field }} as value
    from {{ to }}

),

figures as (

    select
        count(*) as checked_values,
        count(referenced.value) as found_values
    from checked
    left join referenced
        on checked.value = referenced.value

)

select
    checked_values,
    found_values,
    cast(found_values as double) / checked_values as share_found,
    {{ min_share }} as min_share
from figures
where checked_values > 0
    and cast(found_values as double) / checked_values < {{ min_share }}

{% endtest %}
