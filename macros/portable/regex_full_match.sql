{#- True when the whole text matches the regular expression (null when the text is null).
    `pattern` is a regex; it is written as a SQL string literal, quotes escaped. -#}
{% macro regex_full_match(column, pattern) -%}
    {{ return(adapter.dispatch('regex_full_match', 'ecommerce')(column, pattern)) }}
{%- endmacro %}

{% macro duckdb__regex_full_match(column, pattern) -%}
    regexp_full_match({{ column }}, {{ sql_string(pattern) }})
{%- endmacro %}

{% macro spark__regex_full_match(column, pattern) -%}
    ({{ column }} rlike {{ sql_string('^(' ~ pattern ~ ')$') }})
{%- endmacro %}

{% macro default__regex_full_match(column, pattern) -%}
    {{ exceptions.raise_compiler_error(
        "regex_full_match has no implementation for the " ~ target.type ~ " adapter") }}
{%- endmacro %}
