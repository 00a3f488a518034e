{#- The text of a JSON field (a scalar as its text, an object or array as JSON text). -#}
{% macro json_text(json_column, field) -%}
    {{ return(adapter.dispatch('json_text', 'ecommerce')(json_column, field)) }}
{%- endmacro %}

{% macro duckdb__json_text(json_column, field) -%}
    ({{ json_column }} ->> {{ sql_string(field) }})
{%- endmacro %}

{% macro spark__json_text(json_column, field) -%}
    get_json_object({{ json_column }}, {{ sql_string('$.' ~ field) }})
{%- endmacro %}

{% macro default__json_text(json_column, field) -%}
    {{ exceptions.raise_compiler_error(
        "json_text has no implementation for the " ~ target.type ~ " adapter") }}
{%- endmacro %}
