{#- The warehouse relation of a config model (e.g. cfg_business_rules), or none when it is not
    built yet. Not ref(): in unit tests ref() points at fixtures, and the rules compiled into a
    model under test must be the real configuration's. The config models live in the `quality`
    schema (models/quality/config), named exactly so by generate_schema_name. -#}
{% macro config_relation(model_name) -%}
    {{ return(load_relation(api.Relation.create(
        database=target.database, schema='quality', identifier=model_name))) }}
{%- endmacro %}
