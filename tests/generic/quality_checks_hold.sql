{#- Every file passes its quality checks (rows of a <source>_file_checks model; `check_name`
    narrows the test to one kind).
    The limits and the severity come from config/quality_thresholds.yaml through the model's
    `threshold` and `severity` columns; the failing rows (stored) name the file, the observed
    value and the limit. See config_severity_fail_calc for how the severity reaches dbt. -#}
{% test quality_checks_hold(model, check_name=none) %}
{{ config(
    fail_calc=config_severity_fail_calc(),
    warn_if='!=0',
    error_if='>0',
    store_failures=true
) }}

select
    source,
    file_name,
    check_name,
    column_name,
    observed_value,
    threshold,
    severity,
    message
from {{ model }}
where not passed
    {%- if check_name %}
        and check_name = {{ sql_string(check_name) }}
    {%- endif %}

{% endtest %}
