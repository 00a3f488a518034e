{%- set sources = ['users', 'products', 'sessions', 'orders', 'api_logs'] %}

with

{% for source in sources %}
{{ source }}_row_breaks as (

    select * from {{ ref(source ~ '_row_breaks') }}

),

{% endfor %}
unioned as (

    {% for source in sources %}
    select * from {{ source }}_row_breaks
    {{ "union all" if not loop.last }}
    {% endfor %}

)

select * from unioned
