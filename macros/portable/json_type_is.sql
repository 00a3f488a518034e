{#- True when the JSON value is of the given kind ('object' or 'array'). -#}
{% macro json_type_is(json_column, kind) -%}
    {{ return(adapter.dispatch('json_type_is', 'ecommerce')(json_column, kind)) }}
{%- endmacro %}

{% macro duckdb__json_type_is(json_column, kind) -%}
    (json_type({{ json_column }}) = {{ sql_string(kind | upper) }})
{%- endmacro %}

{% macro spark__json_type_is(json_column, kind) -%}
    (substr(ltrim(cast({{ json_column }} as string)), 1, 1) = {{ sql_string('{' if kind == 'object' else '[') }})
{%- endmacro %}

{% macro default__json_type_is(json_column, kind) -%}
    {{ exceptions.raise_compiler_error(
        "json_type_is has no implementation for the " ~ target.type ~ " adapter") }}
{%- endmacro %}
