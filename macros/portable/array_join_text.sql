{#- The elements of a text array joined by a separator into one text. -#}
{% macro array_join_text(array, separator) -%}
    {{ return(adapter.dispatch('array_join_text', 'ecommerce')(array, separator)) }}
{%- endmacro %}

{% macro duckdb__array_join_text(array, separator) -%}
    array_to_string({{ array }}, {{ sql_string(separator) }})
{%- endmacro %}

{% macro spark__array_join_text(array, separator) -%}
    array_join({{ array }}, {{ sql_string(separator) }})
{%- endmacro %}

{% macro default__array_join_text(array, separator) -%}
    {{ exceptions.raise_compiler_error(
        "array_join_text has no implementation for the " ~ target.type ~ " adapter") }}
{%- endmacro %}
