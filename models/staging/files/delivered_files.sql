with

source as (

    select * from {{ source('raw', '_files') }}

),

renamed as (

    select
        -- ids
        file_id,
        batch_id,
        duplicate_of_file_id,

        -- strings
        file_name,
        file_path,
        source,
        suffix,
        file_hash,
        outcome,
        archived_to,

        -- numerics
        size_bytes,
        row_count,
        load_seconds,

        -- json
        reasons,
        warnings,

        -- dates
        business_date,

        -- timestamps
        discovered_at,
        loaded_at

    from source

)

select * from renamed
