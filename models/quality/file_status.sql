{%- set sources = ['users', 'products', 'sessions', 'orders', 'api_logs'] %}

with

{% for source in sources %}
{{ source }}_status as (

    select * from {{ ref(source ~ '_file_status') }}

),

{% endfor %}
delivered_files as (

    select * from {{ ref('delivered_files') }}

),

unknown_files as (

    select
        file_id,
        file_name,
        source,
        business_date,
        file_hash,
        file_path,
        outcome as load_outcome,
        coalesce(row_count, 0) as row_count,
        'rejected' as status,
        [{{ loader_reasons_text('reasons') }}] as reasons,
        ['structure'] as failed_checks,
        1 as checks_count,
        batch_id,
        loaded_at
    from delivered_files
    where outcome = 'unknown'

),

unioned as (

    {% for source in sources %}
    select * from {{ source }}_status
    union all
    {% endfor %}
    select * from unknown_files

)

select * from unioned
