{#- The row rules of one staging model, read from quality.cfg_business_rules (built from
    config/business_rules.yaml earlier in the same run) when the model is compiled for execution.
    `cross_source`: false for the rules judged row by row in staging, true for the rules judged
    across sources in the quality layer. Empty while parsing, or before the config table exists
    (e.g. when sqlfluff compiles against an empty database). -#}
{% macro get_rules(target, cross_source=false) -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set relation = config_relation('cfg_business_rules') -%}
    {%- if relation is none -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set query -%}
        select
            rule_name,
            column_name,
            check_type,
            column_type,
            severity,
            pattern,
            to_json(accepted_values)::varchar as accepted_values_json,
            min_value,
            max_value,
            is_min_exclusive,
            is_max_exclusive,
            max_decimals,
            expression,
            to_source,
            to_column,
            logic_hash
        from {{ relation }}
        where source = {{ sql_string(target) }}
            and check_type {{ "" if cross_source else "not" }} in ('relationship', 'reference')
        order by rule_name
    {%- endset -%}
    {%- set result = run_query(query) -%}
    {%- set rules = [] -%}
    {%- for row in result.rows -%}
        {%- set rule = dict(zip(result.column_names, row)) -%}
        {%- do rule.update({'accepted_values': fromjson(rule['accepted_values_json'] or '[]')}) -%}
        {%- do rules.append(rule) -%}
    {%- endfor -%}
    {{ return(rules) }}
{%- endmacro %}
