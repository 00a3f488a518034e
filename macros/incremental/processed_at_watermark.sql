{#- The latest `processed_at` the model has stored (1900-01-01 when it is empty): an incremental
    run reads the rows its input wrote after it. Read when the model runs on an incremental run
    (a timestamp literal, so DuckDB can skip the input's row groups written before it). -#}
{% macro processed_at_watermark() -%}
    {{ latest_timestamp(this, 'processed_at', is_incremental()) }}
{%- endmacro %}
