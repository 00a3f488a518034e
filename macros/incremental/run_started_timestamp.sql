{#- When this dbt invocation started (`run_started_at`, UTC), as a timestamp literal: the
    `processed_at` of every row a run writes. -#}
{% macro run_started_timestamp() -%}
    {{ dbt.cast(dbt.string_literal(run_started_at.strftime('%Y-%m-%d %H:%M:%S.%f')),
        dbt.type_timestamp()) }}
{%- endmacro %}
