{#- A whole row of a relation alias as a JSON object. -#}
{% macro row_as_json(alias) -%}
    {{ return(adapter.dispatch('row_as_json', 'ecommerce')(alias)) }}
{%- endmacro %}

{% macro duckdb__row_as_json(alias) -%}
    to_json({{ alias }})
{%- endmacro %}

{% macro spark__row_as_json(alias) -%}
    to_json(struct({{ alias }}.*))
{%- endmacro %}

{% macro default__row_as_json(alias) -%}
    {{ exceptions.raise_compiler_error(
        "row_as_json has no implementation for the " ~ target.type ~ " adapter") }}
{%- endmacro %}
