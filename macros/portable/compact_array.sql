{#- An array of the given SQL expressions without their nulls (an empty array when all are null). -#}
{% macro compact_array(expressions) -%}
    {{ return(adapter.dispatch('compact_array', 'ecommerce')(expressions)) }}
{%- endmacro %}

{% macro duckdb__compact_array(expressions) -%}
    {%- if expressions | length == 0 -%}
        cast([] as varchar[])
    {%- else -%}
        list_filter(
            [
                {%- for expression in expressions %}
                {{ expression }}{{ "," if not loop.last }}
                {%- endfor %}
            ],
            lambda x: x is not null
        )
    {%- endif -%}
{%- endmacro %}

{% macro spark__compact_array(expressions) -%}
    {%- if expressions | length == 0 -%}
        cast(array() as array<string>)
    {%- else -%}
        filter(array({{ expressions | join(', ') }}), x -> x is not null)
    {%- endif -%}
{%- endmacro %}

{% macro default__compact_array(expressions) -%}
    {{ exceptions.raise_compiler_error(
        "compact_array has no implementation for the " ~ target.type ~ " adapter") }}
{%- endmacro %}
