{#- A select of the stored rows (in {{ this }}) whose key is among the new rows' keys, with
    `columns` and one `extra` expression (over `stored_rows`), for an incremental model where
    new rows compete with the stored row of the same key. The keys are found by a probe of the
    stored key column alone, so the stored rows' other columns are read only for the keys
    delivered again (usually none). Use after `union all`, inside `{% if is_incremental() %}`. -#}
{% macro stored_rows_delivered_again(new_rows, key, columns, extra) -%}
    select
        {% for column in columns -%}
            stored_rows.{{ column }},
        {% endfor -%}
        {{ extra }}
    from {{ this }} as stored_rows
    inner join (
        select distinct stored_keys.{{ key }}
        from {{ this }} as stored_keys
        inner join {{ new_rows }}
            on stored_keys.{{ key }} = {{ new_rows }}.{{ key }}
    ) as delivered_again
        on stored_rows.{{ key }} = delivered_again.{{ key }}
{%- endmacro %}
