{%- set sources = ['users', 'products', 'sessions', 'orders', 'api_logs'] %}

with

{% for source in sources %}
{{ source }}_checks as (

    select * from {{ ref(source ~ '_file_checks') }}

),

{% endfor %}
unioned as (

    {% for source in sources %}
    select * from {{ source }}_checks
    {{ "union all" if not loop.last }}
    {% endfor %}

)

select * from unioned
