{%- set sources = ['users', 'products', 'sessions', 'orders', 'api_logs'] %}

with

{% for source in sources %}
{{ source }}_quarantine as (

    select * from {{ ref(source ~ '_quarantine') }}

),

{% endfor %}
unioned as (

    {% for source in sources %}
    select * from {{ source }}_quarantine
    {{ "union all" if not loop.last }}
    {% endfor %}

)

select * from unioned
