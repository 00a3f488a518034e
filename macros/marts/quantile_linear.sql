{#- An aggregate: the continuous quantile of an expression at `fraction` (0..1), interpolating
    linearly between the two nearest values as numpy's default does (position (n - 1) x
    fraction in the sorted values); nulls are ignored. -#}
{% macro quantile_linear(expression, fraction) -%}
    {{ return(adapter.dispatch('quantile_linear', 'ecommerce')(expression, fraction)) }}
{%- endmacro %}

{% macro duckdb__quantile_linear(expression, fraction) -%}
    quantile_cont({{ expression }}, {{ fraction }})
{%- endmacro %}

{% macro spark__quantile_linear(expression, fraction) -%}
    percentile({{ expression }}, {{ fraction }})
{%- endmacro %}

{% macro default__quantile_linear(expression, fraction) -%}
    {{ exceptions.raise_compiler_error(
        "quantile_linear has no implementation for the " ~ target.type ~ " adapter") }}
{%- endmacro %}
