{#- Two arrays one after the other. -#}
{% macro array_concat(first, second) -%}
    {{ return(adapter.dispatch('array_concat', 'ecommerce')(first, second)) }}
{%- endmacro %}

{% macro duckdb__array_concat(first, second) -%}
    list_concat({{ first }}, {{ second }})
{%- endmacro %}

{% macro spark__array_concat(first, second) -%}
    concat({{ first }}, {{ second }})
{%- endmacro %}

{% macro default__array_concat(first, second) -%}
    {{ exceptions.raise_compiler_error(
        "array_concat has no implementation for the " ~ target.type ~ " adapter") }}
{%- endmacro %}
