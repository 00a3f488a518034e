{#- Each source's newest load is recent enough: the limits (warn and error after so many hours)
    come from config/quality_thresholds.yaml; an old source warns or fails accordingly. -#}
{% test sources_are_fresh(model) %}
{{ config(fail_calc=config_severity_fail_calc(), warn_if='!=0', error_if='>0') }}

select
    source,
    last_loaded_at,
    hours_since_last_load,
    warn_after_hours,
    error_after_hours,
    freshness_status as severity
from {{ model }}
where freshness_status <> 'pass'

{% endtest %}
