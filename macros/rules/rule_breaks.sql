{#- The names of the row-level rules a staging row breaks, as an array (every severity). -#}
{% macro rule_breaks(target) -%}
    {%- set checks = [] -%}
    {%- for rule in get_rules(target) -%}
        {%- do checks.append(
            "case when not coalesce(" ~ rule_condition(rule) ~ ", true) then "
            ~ sql_string(rule.rule_name) ~ " end") -%}
    {%- endfor -%}
    {{ compact_array(checks) }}
{%- endmacro %}
