{#- A short fingerprint of the logic of a target's row rules (not their severity or message).
    Incremental staging models store it, and re-judge every row when it changes. -#}
{% macro rules_fingerprint(target) -%}
    {%- set hashes = [] -%}
    {%- for rule in get_rules(target) -%}
        {%- do hashes.append(rule.logic_hash) -%}
    {%- endfor -%}
    {{ return(local_md5(hashes | join(','))[:16]) }}
{%- endmacro %}
