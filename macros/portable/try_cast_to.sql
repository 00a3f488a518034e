{#- Cast that yields null instead of failing when the value does not convert. (dbt's
    safe_cast is a plain cast on DuckDB, which fails the whole model on one bad value.) -#}
{% macro try_cast_to(expression, sql_type) -%}
    {{ return(adapter.dispatch('try_cast_to', 'ecommerce')(expression, sql_type)) }}
{%- endmacro %}

{% macro duckdb__try_cast_to(expression, sql_type) -%}
    try_cast({{ expression }} as {{ sql_type }})
{%- endmacro %}

{% macro spark__try_cast_to(expression, sql_type) -%}
    try_cast({{ expression }} as {{ sql_type }})
{%- endmacro %}

{% macro default__try_cast_to(expression, sql_type) -%}
    {{ exceptions.raise_compiler_error(
        "try_cast_to has no implementation for the " ~ target.type ~ " adapter") }}
{%- endmacro %}
