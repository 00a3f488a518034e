{#- dbt fixes a test's severity when it parses the project, but our severities live in
    config/quality_thresholds.yaml, read at run time. So tests whose failing rows carry a
    `severity` column ('warn' or 'error') compute their failure count with this fail_calc:
    the number of failing rows, positive when any of them is error-severe (the test fails,
    error_if '>0') and negative when all are warnings (the test warns, warn_if '!=0').
    Reports show the absolute value. -#}
{% macro config_severity_fail_calc() -%}
    coalesce(count(*) * max(case when severity = 'error' then 1 else -1 end), 0)
{%- endmacro %}
