{#- The rows of `target` (a staging model) that break one cross-source rule, in the shape of
    row_breaks_model's union: file_id, file_name, file_row_number, record_key, line_number,
    rule_name. A `relationship` is broken by a value missing from the other source; a
    `reference` by a false expression over the row and the other source's latest row for the
    join key `on` (`reference.<column>`); unmatched rows pass (the relationship rule judges them). -#}
{% macro cross_source_break(rule, target, key_column) -%}
    {%- set line_number = 'line_number' if target == 'order_items' else 'cast(null as integer)' -%}
    {%- if rule.check_type == 'relationship' -%}
    select
        checked.file_id,
        checked.file_name,
        checked.file_row_number,
        checked.{{ key_column }} as record_key,
        {{ line_number }} as line_number,
        {{ sql_string(rule.rule_name) }} as rule_name
    from {{ ref(target) }} as checked
    left join (
        -- the checked values the other source holds: a semi join whose build side is the
        -- checked values (about 1 M order rows), not the other source (10 M sessions)
        select distinct referenced.{{ rule.to_column }} as found_value
        from {{ ref(rule.to_source) }} as referenced
        where referenced.{{ rule.to_column }} in (
            select {{ rule.column_name }} from {{ ref(target) }}
        )
    ) as found
        on checked.{{ rule.column_name }} = found.found_value
    where
        checked.{{ rule.column_name }} is not null
        and found.found_value is null
    {%- elif rule.check_type == 'reference' -%}
    select
        checked.file_id,
        checked.file_name,
        checked.file_row_number,
        checked.{{ key_column }} as record_key,
        {{ line_number }} as line_number,
        {{ sql_string(rule.rule_name) }} as rule_name
    from {{ ref(target) }} as checked
    inner join (
        select *
        from (
            select
                *,
                row_number() over (
                    partition by {{ rule.to_column }}
                    order by file_business_date desc, file_name desc, file_row_number desc
                ) as version_rank
            from {{ ref(rule.to_source) }}
            -- only the keys the checked rows name are ranked
            where {{ rule.to_column }} in (
                select {{ rule.to_column }} from {{ ref(target) }}
            )
        ) as ranked
        where version_rank = 1
    ) as reference
        on checked.{{ rule.to_column }} = reference.{{ rule.to_column }}
    where not coalesce({{ rule.expression }}, true)
    {%- else -%}
        {{ exceptions.raise_compiler_error("rule " ~ rule.rule_name ~ " is not a cross-source rule") }}
    {%- endif -%}
{%- endmacro %}
