{#- The columns of a source with a completeness limit in config/quality_thresholds.yaml, read
    from quality.cfg_file_thresholds when the model is compiled for execution. -#}
{% macro get_completeness_columns(source) -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set relation = config_relation('cfg_file_thresholds') -%}
    {%- if relation is none -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set query -%}
        select column_name
        from {{ relation }}
        where source = {{ sql_string(source) }} and check_name = 'min_completeness'
        order by column_name
    {%- endset -%}
    {{ return(run_query(query).columns[0].values() | list) }}
{%- endmacro %}
