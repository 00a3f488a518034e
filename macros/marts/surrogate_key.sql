{#- A text key for a row identified by several columns, some of which may be null (a group of an
    aggregate): md5 of the columns' text joined by '|', a null written as '<null>'. -#}
{% macro surrogate_key(columns) -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- do parts.append(
            "coalesce(" ~ dbt.cast(column, dbt.type_string()) ~ ", '<null>')") -%}
        {%- if not loop.last -%}{%- do parts.append("'|'") -%}{%- endif -%}
    {%- endfor -%}
    {{ dbt.hash(dbt.concat(parts)) }}
{%- endmacro %}
