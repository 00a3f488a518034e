{#- The loader's reasons (a JSON list of {rule, message, example}) as one line of text. -#}
{% macro loader_reasons_text(reasons_column) -%}
    {{ return(adapter.dispatch('loader_reasons_text', 'ecommerce')(reasons_column)) }}
{%- endmacro %}

{% macro duckdb__loader_reasons_text(reasons_column) -%}
    coalesce(
        nullif(
            array_to_string(json_extract_string({{ reasons_column }}, '$[*].message'), '; '),
            ''
        ),
        'rejected by the loader'
    )
{%- endmacro %}

{% macro spark__loader_reasons_text(reasons_column) -%}
    coalesce(
        nullif(
            array_join(
                transform(
                    from_json({{ reasons_column }}, 'array<struct<message:string>>'),
                    reason -> reason.message
                ),
                '; '
            ),
            ''
        ),
        'rejected by the loader'
    )
{%- endmacro %}

{% macro default__loader_reasons_text(reasons_column) -%}
    {{ exceptions.raise_compiler_error(
        "loader_reasons_text has no implementation for the " ~ target.type ~ " adapter") }}
{%- endmacro %}
