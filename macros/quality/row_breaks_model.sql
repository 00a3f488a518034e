{#- Body of quality.<source>_row_breaks: one row per delivered row and rule it breaks, with the
    rule's severity and message from config. Row rules come from the staging model's
    `rule_breaks`; rules across sources (`relationship`, `reference`) are judged here.
    `line_targets`: staging models of lines whose breaks count against the parent row
    (order_items for orders). -#}
{% macro row_breaks_model(source, key_column, line_targets=[]) -%}

with

rules as (

    select * from {{ ref('cfg_business_rules') }}

),

staged as (

    select * from {{ ref(source) }}

),

row_level as (

    select
        file_id,
        file_name,
        file_row_number,
        {{ key_column }} as record_key,
        cast(null as integer) as line_number,
        {{ unnest_array('rule_breaks') }} as rule_name
    from staged

),

{% for line_target in line_targets %}
{{ line_target }}_level as (

    select
        file_id,
        file_name,
        file_row_number,
        {{ key_column }} as record_key,
        line_number,
        {{ unnest_array('rule_breaks') }} as rule_name
    from {{ ref(line_target) }}

),

{% endfor %}
{% for target in [source] + line_targets %}
{% for rule in get_rules(target, cross_source=true) %}
{{ rule.rule_name }} as (

    {{ cross_source_break(rule, target, key_column) }}

),

{% endfor %}
{% endfor %}
all_breaks as (

    select * from row_level
    {% for line_target in line_targets %}
    union all
    select * from {{ line_target }}_level
    {% endfor %}
    {% for target in [source] + line_targets %}
    {% for rule in get_rules(target, cross_source=true) %}
    union all
    select * from {{ rule.rule_name }}
    {% endfor %}
    {% endfor %}

),

final as (

    select
        {{ sql_string(source) }} as source,
        all_breaks.file_id,
        all_breaks.file_name,
        all_breaks.file_row_number,
        all_breaks.record_key,
        all_breaks.line_number,
        all_breaks.rule_name,
        rules.column_name,
        rules.severity,
        rules.message
    from all_breaks
    inner join rules
        on all_breaks.rule_name = rules.rule_name

)

select * from final

{%- endmacro %}
