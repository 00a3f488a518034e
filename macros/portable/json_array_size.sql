{#- The number of elements of a JSON array. -#}
{% macro json_array_size(json_column) -%}
    {{ return(adapter.dispatch('json_array_size', 'ecommerce')(json_column)) }}
{%- endmacro %}

{% macro duckdb__json_array_size(json_column) -%}
    cast(json_array_length({{ json_column }}) as integer)
{%- endmacro %}

{% macro spark__json_array_size(json_column) -%}
    json_array_length({{ json_column }})
{%- endmacro %}

{% macro default__json_array_size(json_column) -%}
    {{ exceptions.raise_compiler_error(
        "json_array_size has no implementation for the " ~ target.type ~ " adapter") }}
{%- endmacro %}
