{#- Seconds from one timestamp to another, fractional to the microsecond (negative when the
    second is earlier). -#}
{% macro seconds_between(start_timestamp, end_timestamp) -%}
    {{ return(adapter.dispatch('seconds_between', 'ecommerce')(start_timestamp, end_timestamp)) }}
{%- endmacro %}

{% macro duckdb__seconds_between(start_timestamp, end_timestamp) -%}
    ((epoch_us({{ end_timestamp }}) - epoch_us({{ start_timestamp }})) / 1000000.0)
{%- endmacro %}

{% macro spark__seconds_between(start_timestamp, end_timestamp) -%}
    ((unix_micros({{ end_timestamp }}) - unix_micros({{ start_timestamp }})) / 1000000.0)
{%- endmacro %}

{% macro default__seconds_between(start_timestamp, end_timestamp) -%}
    {{ exceptions.raise_compiler_error(
        "seconds_between has no implementation for the " ~ target.type ~ " adapter") }}
{%- endmacro %}
