{#- The loader's lineage columns of a raw row, renamed to the house style. -#}
{% macro lineage_columns() -%}
    _file_id as file_id,
    _file_name as file_name,
    _file_hash as file_hash,
    _business_date as file_business_date,
    _row_number as file_row_number,
    _loaded_at as loaded_at,
    _batch_id as batch_id
{%- endmacro %}
