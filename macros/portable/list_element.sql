{#- The element of a list (array) at a 1-based position (a number). -#}
{% macro list_element(list_expression, position) -%}
    {{ return(adapter.dispatch('list_element', 'ecommerce')(list_expression, position)) }}
{%- endmacro %}

{% macro duckdb__list_element(list_expression, position) -%}
    list_extract({{ list_expression }}, {{ position }})
{%- endmacro %}

{% macro spark__list_element(list_expression, position) -%}
    element_at({{ list_expression }}, {{ position }})
{%- endmacro %}

{% macro default__list_element(list_expression, position) -%}
    {{ exceptions.raise_compiler_error(
        "list_element has no implementation for the " ~ target.type ~ " adapter") }}
{%- endmacro %}
