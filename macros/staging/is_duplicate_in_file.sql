{#- True when a row repeats the key of an earlier row (by row number) of the same file. -#}
{% macro is_duplicate_in_file(key_columns) -%}
    (
        {% for column in key_columns -%}
            {{ column }} is not null and
        {% endfor -%}
        row_number() over (
            partition by file_id, {{ key_columns | join(', ') }}
            order by file_row_number
        ) > 1
    )
{%- endmacro %}
