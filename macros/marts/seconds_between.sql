{#- Seconds from one timestamp to another as an exact decimal(25, 6), to the microsecond
    (negative when the second is earlier): sums and averages of it are exact and do not depend on
    the order rows are added in. -#}
{% macro seconds_between(start_timestamp, end_timestamp) -%}
    {{ return(adapter.dispatch('seconds_between', 'ecommerce')(start_timestamp, end_timestamp)) }}
{%- endmacro %}

{% macro duckdb__seconds_between(start_timestamp, end_timestamp) -%}
    (cast(epoch_us({{ end_timestamp }}) - epoch_us({{ start_timestamp }}) as decimal(18, 0))
    * cast(0.000001 as decimal(7, 6)))
{%- endmacro %}

{% macro spark__seconds_between(start_timestamp, end_timestamp) -%}
    (cast(unix_micros({{ end_timestamp }}) - unix_micros({{ start_timestamp }}) as decimal(18, 0))
    * cast(0.000001 as decimal(7, 6)))
{%- endmacro %}

{% macro default__seconds_between(start_timestamp, end_timestamp) -%}
    {{ exceptions.raise_compiler_error(
        "seconds_between has no implementation for the " ~ target.type ~ " adapter") }}
{%- endmacro %}
