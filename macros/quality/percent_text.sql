{#- A fraction shown as a percentage with up to two decimals, e.g. 0.0525 -> '5.25%'. -#}
{% macro percent_text(fraction) -%}
    cast(round(100 * {{ fraction }}, 2) as varchar) || '%'
{%- endmacro %}
