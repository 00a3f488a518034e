{#- The warehouse relation of a config model (e.g. cfg_business_rules), or none when it is not
    built yet. Looked up through the graph rather than ref(), so that unit tests, where ref()
    points at fixtures, still compile the rules of the real configuration. -#}
{% macro config_relation(model_name) -%}
    {%- for node in graph.nodes.values() -%}
        {%- if node.resource_type == 'model' and node.name == model_name -%}
            {{ return(load_relation(api.Relation.create(
                database=node.database, schema=node.schema, identifier=node.alias))) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(none) }}
{%- endmacro %}
