{#- An aggregate: the continuous quantiles of an expression at each of `fractions` (0..1), as
    one list in the order given, interpolating linearly between the two nearest values as
    numpy's default does (position (n - 1) x fraction in the sorted values); nulls are ignored.
    One aggregate for all fractions: DuckDB then keeps one copy of a group's values, not one per
    quantile (20 M latencies at scale 100). Take an element with list_element(). -#}
{% macro quantiles_linear(expression, fractions) -%}
    {{ return(adapter.dispatch('quantiles_linear', 'ecommerce')(expression, fractions)) }}
{%- endmacro %}

{% macro duckdb__quantiles_linear(expression, fractions) -%}
    quantile_cont({{ expression }}, [{{ fractions | join(', ') }}])
{%- endmacro %}

{% macro spark__quantiles_linear(expression, fractions) -%}
    percentile({{ expression }}, array({{ fractions | join(', ') }}))
{%- endmacro %}

{% macro default__quantiles_linear(expression, fractions) -%}
    {{ exceptions.raise_compiler_error(
        "quantiles_linear has no implementation for the " ~ target.type ~ " adapter") }}
{%- endmacro %}
