{#- In an incremental staging model's source CTE: on an incremental run, only the loader batches
    above the highest one already staged (`batch_column` names the raw lineage column). -#}
{% macro new_batches_only(batch_column='_batch_id') -%}
    {%- if is_incremental() -%}
        where {{ batch_column }} > (select coalesce(max(batch_id), -1) from {{ this }})
    {%- endif -%}
{%- endmacro %}
