{#- A personal value pseudonymised: hex SHA-256 of the salt followed by the value as text
    (null stays null). The only form in which personal data may reach the marts and exports. -#}
{% macro pii_hash(column) -%}
    {{ return(adapter.dispatch('pii_hash', 'ecommerce')(column)) }}
{%- endmacro %}

{% macro duckdb__pii_hash(column) -%}
    sha256({{ sql_string(pii_salt()) }} || cast({{ column }} as varchar))
{%- endmacro %}

{% macro spark__pii_hash(column) -%}
    sha2(concat({{ sql_string(pii_salt()) }}, cast({{ column }} as string)), 256)
{%- endmacro %}

{% macro default__pii_hash(column) -%}
    {{ exceptions.raise_compiler_error(
        "pii_hash has no implementation for the " ~ target.type ~ " adapter") }}
{%- endmacro %}
