{#- The order-by list that puts the winning row of an entity first (raw-data contract, and
    `version_order` in config/data_schemas.json):
    - `updated_at` (users, orders): the latest updated_at; a tie goes to the later file (later
      business date, then later file name);
    - `delivery` (sessions, API requests): the latest delivery (later business date, then later
      file name).
    Then the later load (a new delivery under an already-seen name), then the first row of the
    file. `alias` prefixes the columns (e.g. 'orders.'). -#}
{% macro latest_first(kind, alias='') -%}
    {%- if kind not in ['updated_at', 'delivery'] -%}
        {{ exceptions.raise_compiler_error(
            "latest_first: kind must be 'updated_at' or 'delivery', not " ~ kind) }}
    {%- endif -%}
    {%- if kind == 'updated_at' -%}{{ alias }}updated_at desc, {% endif -%}
    {{ alias }}file_business_date desc,
    {{ alias }}file_name desc,
    {{ alias }}file_id desc,
    {{ alias }}file_row_number asc
{%- endmacro %}
