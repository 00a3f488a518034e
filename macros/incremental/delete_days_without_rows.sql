{#- Pre-hook of the daily aggregates that are incremental by day: on an incremental run, deletes
    the stored days on which the model they aggregate (`source_model`, its column `day_column`
    too) has no row any more, which a recomputation of the changed days cannot reach. -#}
{% macro delete_days_without_rows(day_column, source_model) -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where {{ day_column }} not in (
            select distinct source_rows.{{ day_column }}
            from {{ ref(source_model) }} as source_rows
            where source_rows.{{ day_column }} is not null
        )
    {%- endif -%}
{%- endmacro %}
