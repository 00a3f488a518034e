{#- The element of a JSON array at a 0-based position given by a SQL expression. -#}
{% macro json_array_element(json_column, position) -%}
    {{ return(adapter.dispatch('json_array_element', 'ecommerce')(json_column, position)) }}
{%- endmacro %}

{% macro duckdb__json_array_element(json_column, position) -%}
    ({{ json_column }} -> cast({{ position }} as integer))
{%- endmacro %}

{% macro spark__json_array_element(json_column, position) -%}
    get_json_object({{ json_column }}, concat('$[', cast({{ position }} as string), ']'))
{%- endmacro %}

{% macro default__json_array_element(json_column, position) -%}
    {{ exceptions.raise_compiler_error(
        "json_array_element has no implementation for the " ~ target.type ~ " adapter") }}
{%- endmacro %}
