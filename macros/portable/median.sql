{#- An aggregate: the median (continuous, interpolated) of an expression. -#}
{% macro median(expression) -%}
    {{ return(adapter.dispatch('median', 'ecommerce')(expression)) }}
{%- endmacro %}

{% macro duckdb__median(expression) -%}
    quantile_cont({{ expression }}, 0.5)
{%- endmacro %}

{% macro spark__median(expression) -%}
    percentile({{ expression }}, 0.5)
{%- endmacro %}

{% macro default__median(expression) -%}
    percentile_cont(0.5) within group (order by {{ expression }})
{%- endmacro %}
