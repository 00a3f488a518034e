{#- An aggregate: the non-null values of an expression as an array, in the given order. -#}
{% macro array_agg_ordered(expression, order_by) -%}
    {{ return(adapter.dispatch('array_agg_ordered', 'ecommerce')(expression, order_by)) }}
{%- endmacro %}

{% macro duckdb__array_agg_ordered(expression, order_by) -%}
    coalesce(
        list({{ expression }} order by {{ order_by }}) filter (where {{ expression }} is not null),
        cast([] as varchar[])
    )
{%- endmacro %}

{% macro spark__array_agg_ordered(expression, order_by) -%}
    filter(
        transform(
            array_sort(collect_list(struct({{ order_by }}, {{ expression }} as aggregated))),
            item -> item.aggregated
        ),
        value -> value is not null
    )
{%- endmacro %}

{% macro default__array_agg_ordered(expression, order_by) -%}
    {{ exceptions.raise_compiler_error(
        "array_agg_ordered has no implementation for the " ~ target.type ~ " adapter") }}
{%- endmacro %}
