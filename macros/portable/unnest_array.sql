{#- In a select list: one output row per element of an array column (none for an empty array). -#}
{% macro unnest_array(column) -%}
    {{ return(adapter.dispatch('unnest_array', 'ecommerce')(column)) }}
{%- endmacro %}

{% macro duckdb__unnest_array(column) -%}
    unnest({{ column }})
{%- endmacro %}

{% macro spark__unnest_array(column) -%}
    explode({{ column }})
{%- endmacro %}

{% macro default__unnest_array(column) -%}
    {{ exceptions.raise_compiler_error(
        "unnest_array has no implementation for the " ~ target.type ~ " adapter") }}
{%- endmacro %}
