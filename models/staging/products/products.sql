{#- Grows with every delivery: stages new loader batches only, and restages everything after a
    config edit (the pre-hook deletes rows of another config fingerprint). -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_rows_of_other_config() }}"
) }}
-- depends_on: {{ ref('cfg_business_rules') }}

with

source as (

    select * from {{ source('raw', 'products') }}
    {{ new_batches_only() }}

),

typed as (

    select
        {{ lineage_columns() }},

        -- ids
        product_id,

        -- strings
        name,
        category,
        subcategory,
        brand,
        {{ json_text('attributes', 'color') }} as color,
        {{ json_text('attributes', 'size') }} as size,

        -- numerics
        {{ to_number('price', 'decimal(18, 2)') }} as price,
        {{ to_number('cost', 'decimal(18, 2)') }} as cost,
        {{ to_integer('stock_quantity') }} as stock_quantity,
        {{ to_number(json_text('attributes', 'weight_kg')) }} as weight_kg,

        -- booleans
        {{ to_boolean('is_active') }} as is_active,

        -- json
        attributes,

        -- timestamps
        {{ to_utc_timestamp('updated_at') }} as updated_at,

        -- delivered text of the typed columns, for the type rules
        price as delivered_price,
        cost as delivered_cost,
        stock_quantity as delivered_stock_quantity,
        is_active as delivered_is_active,
        updated_at as delivered_updated_at

    from source

),

judged as (

    select
        *,
        {{ rule_breaks('products') }} as rule_breaks,
        {{ is_duplicate_in_file(['product_id']) }} as is_duplicate_in_file
    from typed

),

renamed as (

    select
        -- lineage
        file_id,
        file_name,
        file_hash,
        file_business_date,
        file_row_number,
        loaded_at,
        batch_id,

        -- ids
        product_id,

        -- strings
        name as product_name,
        category,
        subcategory,
        brand,
        color,
        size,

        -- numerics
        price as price_eur,
        cost as cost_eur,
        stock_quantity,
        weight_kg,

        -- booleans
        is_active,

        -- timestamps
        updated_at,

        -- quality
        rule_breaks,
        is_duplicate_in_file,
        {{ sql_string(config_fingerprint()) }} as config_fingerprint,
        {{ run_started_timestamp() }} as staged_at

    from judged

)

select * from renamed
