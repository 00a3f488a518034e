{#- A rate p observed over n trials, pulled towards 1/2 by one success and one failure:
    (p n + 1) / (n + 2). Never 0 or 1, so its sampling error is never 0. -#}
{% macro smoothed_rate(rate, trials) -%}
    ((greatest(least({{ rate }}, 1), 0) * {{ trials }} + 1) / ({{ trials }} + 2))
{%- endmacro %}
