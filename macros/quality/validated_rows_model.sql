{#- Body of intermediate.int_<source>_validated: the staged rows that may reach the marts — rows
    of validated files, breaking no error rule, not repeating an earlier row of the same file.
    `parent`: for line models (order_items), keep the lines of the parent's validated rows. -#}
{% macro validated_rows_model(source, parent=none) -%}
{%- set judged = parent or source -%}

with

staged as (

    select * from {{ ref(source) }}

),

validated_files as (

    select file_id
    from {{ ref(judged ~ '_file_status') }}
    where status = 'validated'

),

quarantined_rows as (

    select distinct
        file_id,
        file_row_number
    from {{ ref(judged ~ '_row_breaks') }}
    where severity = 'error'

),

{% if parent %}
duplicate_rows as (

    select
        file_id,
        file_row_number
    from {{ ref(parent) }}
    where is_duplicate_in_file

),

{% endif %}
final as (

    select staged.*
    from staged
    inner join validated_files
        on staged.file_id = validated_files.file_id
    left join quarantined_rows
        on staged.file_id = quarantined_rows.file_id
        and staged.file_row_number = quarantined_rows.file_row_number
    {% if parent %}
    left join duplicate_rows
        on staged.file_id = duplicate_rows.file_id
        and staged.file_row_number = duplicate_rows.file_row_number
    where quarantined_rows.file_id is null
        and duplicate_rows.file_id is null
    {% else %}
    where quarantined_rows.file_id is null
        and not staged.is_duplicate_in_file
    {% endif %}

)

select * from final

{%- endmacro %}
