{#- The condition that a row of `relation` was written by the latest run that wrote any: its
    `written_at` (processed_at, staged_at) equals the latest value, read at execution and written
    as a literal so DuckDB skips the older row groups. The scope of the tests given `written_at`
    (latest_run_key_failures, relationships). -#}
{% macro written_by_latest_run(relation, written_at) -%}
    {{ written_at }} = {{ latest_timestamp(relation, written_at, true) }}
{%- endmacro %}
