{#- The highest load batch an incremental model has processed (`watermark_batch_id` of its
    rows; -1 when it is empty): an incremental run reads the batches above it. -#}
{% macro incremental_watermark() -%}
    (select coalesce(max(watermark_batch_id), -1) from {{ this }})
{%- endmacro %}
