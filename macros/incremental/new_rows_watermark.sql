{#- A select of the run watermark of an incremental model incremental by load batch: the highest
    `batch_id` of the input this run, which every row written records (`watermark_batch_id`).
    On an incremental run it is the new rows' highest, or the stored one when no row is new, so
    the input is not read whole for it; on a full build the new rows are the whole input. -#}
{% macro new_rows_watermark(new_rows) -%}
    select
        {% if is_incremental() -%}
            coalesce(max(batch_id), {{ incremental_watermark() }})
        {%- else -%}
            max(batch_id)
        {%- endif %} as watermark_batch_id
    from {{ new_rows }}
{%- endmacro %}
