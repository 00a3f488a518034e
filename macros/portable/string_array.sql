{#- An array of text built from SQL expressions (an empty text array when there are none). -#}
{% macro string_array(expressions) -%}
    {{ return(adapter.dispatch('string_array', 'ecommerce')(expressions)) }}
{%- endmacro %}

{% macro duckdb__string_array(expressions) -%}
    {%- if expressions | length == 0 -%}
        cast([] as varchar[])
    {%- else -%}
        [{{ expressions | join(', ') }}]
    {%- endif -%}
{%- endmacro %}

{% macro spark__string_array(expressions) -%}
    {%- if expressions | length == 0 -%}
        cast(array() as array<string>)
    {%- else -%}
        array({{ expressions | join(', ') }})
    {%- endif -%}
{%- endmacro %}

{% macro default__string_array(expressions) -%}
    {{ exceptions.raise_compiler_error(
        "string_array has no implementation for the " ~ target.type ~ " adapter") }}
{%- endmacro %}
