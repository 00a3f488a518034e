{#- The SQL condition that holds when a row keeps the rule. Staging evaluates it over the typed
    contract-named columns; `delivered_<column>` holds the delivered text of non-text columns. -#}
{% macro rule_condition(rule) -%}
    {%- set column = rule.column_name -%}
    {%- set delivered = column if rule.column_type in ('string', 'object', 'array')
        else 'delivered_' ~ column -%}
    {%- if rule.check_type == 'not_null' -%}
        {#- judged on the delivered text: a malformed value breaks its type rule, not this one -#}
        {{ delivered }} is not null
    {%- elif rule.check_type == 'pattern' -%}
        {{ regex_full_match(delivered, rule.pattern) }}
    {%- elif rule.check_type == 'accepted_values' -%}
        {{ column }} in (
            {%- for value in rule.accepted_values -%}
                {{ sql_string(value) }}{{ ", " if not loop.last }}
            {%- endfor -%}
        )
    {%- elif rule.check_type == 'range' -%}
        {%- set bounds = [] -%}
        {%- if rule.min_value is not none -%}
            {%- do bounds.append(column ~ (' > ' if rule.is_min_exclusive else ' >= ') ~ rule.min_value) -%}
        {%- endif -%}
        {%- if rule.max_value is not none -%}
            {%- do bounds.append(column ~ (' < ' if rule.is_max_exclusive else ' <= ') ~ rule.max_value) -%}
        {%- endif -%}
        {{ bounds | join(' and ') }}
    {%- elif rule.check_type == 'max_decimals' -%}
        {%- set exact = try_cast_to(delivered, 'decimal(38, 10)') -%}
        {{ exact }} = round({{ exact }}, {{ rule.max_decimals }})
    {%- elif rule.check_type == 'expression' -%}
        ({{ rule.expression }})
    {%- elif rule.check_type == 'type' and rule.column_type in ('object', 'array') -%}
        {{ column }} is null or {{ json_type_is(column, rule.column_type) }}
    {%- elif rule.check_type == 'type' -%}
        {{ delivered }} is null or {{ column }} is not null
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            "rule " ~ rule.rule_name ~ ": check " ~ rule.check_type ~ " cannot be judged row by row") }}
    {%- endif -%}
{%- endmacro %}
