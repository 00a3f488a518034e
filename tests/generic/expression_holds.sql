{#- A boolean SQL expression holds on every row (null counts as holding). -#}
{% test expression_holds(model, expression) %}

select *
from {{ model }}
where not coalesce({{ expression }}, true)

{% endtest %}
