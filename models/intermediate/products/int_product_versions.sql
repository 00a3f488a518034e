with

products as (

    select * from {{ ref('int_products_validated') }}

),

fingerprinted as (

    -- what a version tells an order line: a later delivery of the version that changes it
    -- re-prices the lines of int_order_lines_priced it concerns
    select
        *,
        {{ dbt.hash(dbt.concat([
            "coalesce(product_name, '')", "'|'",
            "coalesce(category, '')", "'|'",
            "coalesce(subcategory, '')", "'|'",
            "coalesce(brand, '')", "'|'",
            "coalesce(" ~ dbt.cast('price_eur', dbt.type_string()) ~ ", '')", "'|'",
            "coalesce(" ~ dbt.cast('cost_eur', dbt.type_string()) ~ ", '')",
        ])) }} as content_hash
    from products

),

ranked as (

    -- the same version (product_id, updated_at) in several catalogue files: the latest delivery
    select
        *,
        row_number() over (
            partition by product_id, updated_at
            order by {{ latest_first('delivery') }}
        ) as delivery_rank
    from fingerprinted

),

winners as (

    select * from ranked
    where delivery_rank = 1

),

deliveries as (

    select
        fingerprinted.product_id,
        fingerprinted.updated_at,
        fingerprinted.batch_id,
        fingerprinted.file_business_date,
        fingerprinted.content_hash = winners.content_hash as is_winning_content,
        coalesce(
            max(
                case
                    when fingerprinted.content_hash <> winners.content_hash
                        then fingerprinted.batch_id
                end
            ) over (partition by fingerprinted.product_id, fingerprinted.updated_at),
            -1
        ) as last_other_content_batch_id
    from fingerprinted
    inner join winners
        on
            fingerprinted.product_id = winners.product_id
            and fingerprinted.updated_at = winners.updated_at

),

delivery_summary as (

    -- content_batch_id: the batch that made the version's winning content current - the first
    -- batch delivering it after the last batch delivering other content (or, when none did,
    -- that last batch: a conservative choice that only costs a re-pricing)
    select
        product_id,
        updated_at,
        count(*) as deliveries_count,
        coalesce(
            min(
                case
                    when is_winning_content and batch_id > last_other_content_batch_id
                        then batch_id
                end
            ),
            max(last_other_content_batch_id)
        ) as content_batch_id,
        min(file_business_date) as first_delivered_date
    from deliveries
    group by product_id, updated_at

),

versioned as (

    select
        winners.*,
        delivery_summary.deliveries_count,
        delivery_summary.content_batch_id,
        delivery_summary.first_delivered_date,
        row_number() over (
            partition by winners.product_id
            order by winners.updated_at
        ) as version_number,
        count(*) over (partition by winners.product_id) as versions_count,
        lead(winners.updated_at) over (
            partition by winners.product_id
            order by winners.updated_at
        ) as valid_to
    from winners
    inner join delivery_summary
        on
            winners.product_id = delivery_summary.product_id
            and winners.updated_at = delivery_summary.updated_at

),

final as (

    select
        -- ids
        {{ surrogate_key(['product_id', 'updated_at']) }} as product_version_id,
        product_id,

        -- strings
        product_name,
        category,
        subcategory,
        brand,
        color,
        size,

        -- numerics
        version_number,
        versions_count,
        price_eur,
        cost_eur,
        stock_quantity,
        weight_kg,
        deliveries_count,
        content_batch_id,

        -- booleans
        is_active,
        version_number = 1 as is_first_version,
        valid_to is null as is_current_version,

        -- dates
        first_delivered_date,

        -- timestamps
        updated_at as valid_from,
        valid_to,

        -- lineage of the latest delivery of the version
        file_id,
        file_name,
        file_business_date,
        file_row_number,
        batch_id

    from versioned

)

select * from final
