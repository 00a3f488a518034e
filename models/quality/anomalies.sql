{%- set sources = ['users', 'products', 'sessions', 'orders', 'api_logs'] %}

with

{% for source in sources %}
{{ source }}_anomalies as (

    select * from {{ ref(source ~ '_anomalies') }}

),

{% endfor %}
unioned as (

    {% for source in sources %}
    select * from {{ source }}_anomalies
    {{ "union all" if not loop.last }}
    {% endfor %}

)

select * from unioned
