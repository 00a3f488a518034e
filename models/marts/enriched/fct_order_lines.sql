{#- Incremental on int_order_lines_priced: an incremental run takes the orders that model wrote
    since this one last ran (its `processed_at`), and delete+insert on order_id replaces all
    their lines; a pre-hook deletes the orders that no longer have a clean version. -#}
{{ config(
    materialized='incremental',
    unique_key='order_id',
    incremental_strategy='delete+insert',
    on_schema_change='sync_all_columns',
    pre_hook=[
        "{{ delete_rows_of_other_config(['ref_product_categories']) }}",
        "{{ delete_orders_without_clean_version() }}",
    ],
    meta={'export_partition_column': 'order_date'},
) }}
-- depends_on: {{ ref('int_orders_deduplicated') }}

with

order_lines as (

    select * from {{ ref('int_order_lines_priced') }}
    {% if is_incremental() %}
        where processed_at > {{ processed_at_watermark() }}
    {% endif %}

),

product_versions as (

    select * from {{ ref('int_product_versions') }}

),

categories as (

    select * from {{ ref('ref_product_categories') }}

),

final as (

    select
        -- ids
        order_lines.order_line_id,
        order_lines.order_id,
        order_lines.line_number,
        order_lines.user_id,
        order_lines.session_id,
        order_lines.product_id,
        product_versions.product_version_id,

        -- strings
        order_lines.status,
        order_lines.currency,
        product_versions.product_name,
        product_versions.brand,
        order_lines.category,
        categories.category_name,
        categories.department,
        product_versions.subcategory,

        -- numerics
        order_lines.quantity,
        order_lines.unit_price,
        order_lines.discount_rate,
        order_lines.eur_per_unit,
        order_lines.gross_amount,
        order_lines.discount_amount,
        order_lines.net_amount,
        order_lines.gross_eur,
        order_lines.discount_eur,
        order_lines.net_eur,
        order_lines.unit_cost_eur,
        order_lines.cost_eur,
        order_lines.margin_eur,
        product_versions.price_eur as list_price_eur,

        -- booleans
        order_lines.is_recognised,
        order_lines.is_priced_before_first_version,

        -- dates
        order_lines.order_date,

        -- timestamps
        order_lines.ordered_at,
        order_lines.updated_at,
        order_lines.product_version_valid_from,

        -- lineage of the order's winning version
        order_lines.file_id,
        order_lines.file_name,
        order_lines.file_business_date,
        order_lines.file_row_number,
        order_lines.batch_id,

        -- incremental bookkeeping
        order_lines.processed_at,
        {{ sql_string(config_fingerprint(['ref_product_categories'])) }} as config_fingerprint

    from order_lines
    left join product_versions
        on
            order_lines.product_id = product_versions.product_id
            and order_lines.product_version_valid_from = product_versions.valid_from
    left join categories
        on order_lines.category = categories.category

)

select * from final
-- stored in day order: zone maps then let the Parquet export of one day read only that day's row
-- groups (export_parquet_by_day)
order by order_date
