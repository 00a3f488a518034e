with

product_versions as (

    select * from {{ ref('int_product_versions') }}

),

categories as (

    select * from {{ ref('ref_product_categories') }}

),

first_versions as (

    select
        product_id,
        valid_from as first_valid_from,
        price_eur as first_price_eur
    from product_versions
    where is_first_version

),

current_versions as (

    select * from product_versions
    where is_current_version

),

final as (

    select
        -- ids
        current_versions.product_id,
        current_versions.product_version_id as current_product_version_id,

        -- strings
        current_versions.product_name,
        current_versions.category,
        categories.category_name,
        categories.department,
        current_versions.subcategory,
        current_versions.brand,
        current_versions.color,
        current_versions.size,

        -- numerics
        current_versions.price_eur,
        current_versions.cost_eur,
        current_versions.price_eur - current_versions.cost_eur as unit_margin_eur,
        case
            when current_versions.price_eur > 0
                then
                    (current_versions.price_eur - current_versions.cost_eur)
                    / current_versions.price_eur
        end as margin_rate,
        first_versions.first_price_eur,
        current_versions.stock_quantity,
        current_versions.weight_kg,
        current_versions.versions_count,

        -- booleans
        current_versions.is_active,
        current_versions.cost_eur > current_versions.price_eur as is_cost_above_price,

        -- dates
        current_versions.file_business_date as last_delivered_date,

        -- timestamps
        first_versions.first_valid_from,
        current_versions.valid_from as updated_at

    from current_versions
    left join first_versions
        on current_versions.product_id = first_versions.product_id
    left join categories
        on current_versions.category = categories.category

)

select * from final
