{#- In a select list: one output row per number 1..n of a count column (the row repeated). -#}
{% macro unnest_sequence(count_column) -%}
    {{ return(adapter.dispatch('unnest_sequence', 'ecommerce')(count_column)) }}
{%- endmacro %}

{% macro duckdb__unnest_sequence(count_column) -%}
    unnest(generate_series(1, {{ count_column }}))
{%- endmacro %}

{% macro spark__unnest_sequence(count_column) -%}
    explode(sequence(1, {{ count_column }}))
{%- endmacro %}

{% macro default__unnest_sequence(count_column) -%}
    {{ exceptions.raise_compiler_error(
        "unnest_sequence has no implementation for the " ~ target.type ~ " adapter") }}
{%- endmacro %}
