{#- The English name of a date's weekday, e.g. 'Monday'. -#}
{% macro weekday_name(date_expression) -%}
    {{ return(adapter.dispatch('weekday_name', 'ecommerce')(date_expression)) }}
{%- endmacro %}

{% macro duckdb__weekday_name(date_expression) -%}
    dayname({{ date_expression }})
{%- endmacro %}

{% macro spark__weekday_name(date_expression) -%}
    date_format({{ date_expression }}, 'EEEE')
{%- endmacro %}

{% macro default__weekday_name(date_expression) -%}
    {{ exceptions.raise_compiler_error(
        "weekday_name has no implementation for the " ~ target.type ~ " adapter") }}
{%- endmacro %}
