with

source_files as (

    {{ union_source_models('file_status') }}

),

delivered_files as (

    select * from {{ ref('delivered_files') }}

),

unknown_files as (

    select
        file_id,
        file_name,
        source,
        business_date,
        file_hash,
        file_path,
        outcome as load_outcome,
        coalesce(row_count, 0) as row_count,
        'rejected' as status,
        {{ string_array([loader_reasons_text('reasons')]) }} as reasons,
        {{ string_array(["'structure'"]) }} as failed_checks,
        1 as checks_count,
        batch_id,
        loaded_at
    from delivered_files
    where outcome = 'unknown'

),

unioned as (

    select * from source_files
    union all
    select * from unknown_files

)

select * from unioned
