{#- A select of one row per day (column `day`) from `first_day` to `last_day` inclusive, two
    expressions over the relation `from_relation` (one row). -#}
{% macro date_spine_between(first_day, last_day, from_relation) -%}
    {{ return(adapter.dispatch('date_spine_between', 'ecommerce')(first_day, last_day, from_relation)) }}
{%- endmacro %}

{% macro duckdb__date_spine_between(first_day, last_day, from_relation) -%}
    select cast(unnest(generate_series({{ first_day }}, {{ last_day }}, interval 1 day)) as date) as day
    from {{ from_relation }}
{%- endmacro %}

{% macro spark__date_spine_between(first_day, last_day, from_relation) -%}
    select explode(sequence({{ first_day }}, {{ last_day }}, interval 1 day)) as day
    from {{ from_relation }}
{%- endmacro %}

{% macro default__date_spine_between(first_day, last_day, from_relation) -%}
    {{ exceptions.raise_compiler_error(
        "date_spine_between has no implementation for the " ~ target.type ~ " adapter") }}
{%- endmacro %}
