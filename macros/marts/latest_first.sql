{#- The order-by list that puts the winning row of an entity first (raw-data contract, and
    `version_order` in config/data_schemas.json):
    - `updated_at` (users, orders): the latest updated_at; a tie goes to the later file (later
      business date, then later file name);
    - `delivery` (sessions, API requests, and a product version delivered again): the latest
      delivery (later business date, then later file name).
    Then the later load (new bytes under an already-seen name), then the first row of the file.
    One item a line, indented for its usual place in `row_number() over (... order by ...)`. -#}
{% macro latest_first(kind) -%}
    {%- if kind not in ['updated_at', 'delivery'] -%}
        {{ exceptions.raise_compiler_error(
            "latest_first: kind must be 'updated_at' or 'delivery', not " ~ kind) }}
    {%- endif -%}
    {%- set columns = ['file_business_date desc', 'file_name desc', 'file_id desc',
        'file_row_number asc'] -%}
    {%- if kind == 'updated_at' -%}
        {%- set columns = ['updated_at desc'] + columns -%}
    {%- endif -%}
    {{ columns | join(',\n                ') }}
{%- endmacro %}
