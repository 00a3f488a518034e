{#- The Parquet export of a big fact (called by export_parquet for a mart whose config sets
    `meta.export_partition_column`): a Hive-partitioned folder, one file per day,
    <folder>/<day_column>=<YYYY-MM-DD>/data_0.parquet, each holding every column (the day
    included). The model must have a `processed_at` column (when the run that wrote the row
    started). Beside the files, <folder>/_export_days.csv records what each day's file was written
    from: its row count and latest processed_at. A build rewrites only the days whose figures
    differ from that record, or whose file is missing: a row inserted into a day brings a newer
    processed_at, a row only deleted from it lowers its count, so any change is seen, and an
    added day of data rewrites about a day of files instead of the whole history. Everything is
    rewritten (the folder emptied first) when there is no record yet, when every day changed
    (a full build), or when a day was exported that has no rows any more, a partition holds
    another file, or a day is null. A build that fails between the files and the record leaves
    the old record: the next build rewrites those days again.
    How the files are written:
    - DuckDB's partitioned writer (`partition_by`) writes new days and every day of a full
      rewrite; it creates the day folders (DuckDB has no mkdir). At most 15 days per statement:
      DuckDB holds each open partition's rows until its file's row group is full (about a day of
      sessions at scale 100), so 90 days at once held the whole table in memory and failed under
      a 2 GB budget; and it stays under 100 open files (`partitioned_write_max_open_files`), past
      which DuckDB would split a day into several files.
    - A changed day whose file exists is replaced by a plain COPY of that day to its file, one
      statement per day, when the model stores those days' rows together (fct_sessions and
      fct_order_lines end in `order by` their day; fct_session_orders inherits fct_sessions'
      order). A plain COPY costs about half the CPU of the partitioned writer, and zone maps let
      each statement read only its day's row groups. An added day re-judges the sessions of about
      20 earlier days (late orders), so this is most of its export. Stored in no order, every
      day's statement would read the whole table (twice the partitioned writer's cost), so the
      macro first measures the layout: the 2,048-row blocks of row ids (DuckDB's vectors) that
      hold a changed day, summed over the days (what the per-day statements read), against the
      blocks that hold any of them (what one partitioned write reads). Up to twice as many plus
      one per day (a day's rows may straddle a block boundary; on a small table every day shares
      the same few blocks), the days are replaced one by one; beyond, they go through the
      partitioned writer. Stored in day order at scale 100 the sum is 1.02 times the blocks;
      stored in no order, about the number of days times. -#}
{% macro export_parquet_by_day(folder, day_column) -%}
    {{ return(adapter.dispatch('export_parquet_by_day', 'ecommerce')(folder, day_column)) }}
{%- endmacro %}

{% macro duckdb__export_parquet_by_day(folder, day_column) -%}
    {%- set days_per_statement = 15 -%}
    {%- set record = folder ~ '/_export_days.csv' -%}
    {%- set digest = this.identifier ~ '__export_days' -%}
    {%- set digest_query -%}
        create or replace temporary table {{ digest }} as
        select
            {{ day_column }} as day,
            count(*) as row_count,
            max(processed_at) as last_processed_at
        from {{ this }}
        group by {{ day_column }}
    {%- endset -%}
    {%- do run_query(digest_query) -%}
    {%- set days_query -%}
        select
            count(*) as days_count,
            count(*) filter (where day is null) as null_days_count,
            coalesce(string_agg(cast(day as varchar), ',' order by day), '') as days
        from {{ digest }}
    {%- endset -%}
    {%- set days = run_query(days_query).rows[0] -%}
    {%- set all_days = days[2].split(',') if days[2] else [] -%}
    {%- set record_found = run_query(
        'select count(*) from glob(' ~ sql_string(record) ~ ')').columns[0].values()[0] > 0 -%}
    {%- set changed_days = all_days -%}
    {%- set blockers_count = 0 if record_found else 1 -%}
    {%- if record_found and days[1] == 0 -%}
        {%- set plan_query -%}
            with

            exported_days as (

                select *
                from read_csv(
                    {{ sql_string(record) }},
                    header = true,
                    columns = {
                        'day': 'date',
                        'row_count': 'bigint',
                        'last_processed_at': 'timestamp'
                    }
                )

            ),

            exported_files as (

                select
                    regexp_extract(
                        file, '/{{ day_column }}=([^/]*)/[^/]*$', 1
                    ) as day_text,
                    regexp_extract(file, '[^/]*$') as file_name
                from glob({{ sql_string(folder ~ '/*/*') }})

            ),

            blockers as (

                -- a day exported that has no rows now, a file a single day's rewrite would not
                -- replace
                select exported_days.day
                from exported_days
                left join {{ digest }} as current_days
                    on exported_days.day = current_days.day
                where current_days.day is null
                union all
                select null as day
                from exported_files
                where file_name <> 'data_0.parquet' or day_text = ''

            ),

            changed_days as (

                select
                    current_days.day,
                    written.day_text is not null as has_file
                from {{ digest }} as current_days
                left join exported_days
                    on current_days.day = exported_days.day
                left join (select distinct day_text from exported_files) as written
                    on cast(current_days.day as varchar) = written.day_text
                where
                    exported_days.day is null
                    or written.day_text is null
                    or current_days.row_count <> exported_days.row_count
                    or current_days.last_processed_at
                    is distinct from exported_days.last_processed_at

            ),

            stored_blocks as (

                -- the 2,048-row blocks of row ids that hold each changed day with a file
                select distinct
                    {{ day_column }} as day,
                    rowid // 2048 as block
                from {{ this }}
                where {{ day_column }} in (select day from changed_days where has_file)

            )

            select
                (select count(*) from blockers) as blockers_count,
                (
                    select coalesce(string_agg(cast(day as varchar), ',' order by day), '')
                    from changed_days
                ) as changed_days,
                (
                    select coalesce(string_agg(cast(day as varchar), ',' order by day), '')
                    from changed_days
                    where has_file
                ) as days_with_file,
                (select count(*) from stored_blocks) as day_blocks_count,
                (select count(distinct block) from stored_blocks) as blocks_count
        {%- endset -%}
        {%- set plan = run_query(plan_query).rows[0] -%}
        {%- set blockers_count = plan[0] -%}
        {%- set changed_days = plan[1].split(',') if plan[1] else [] -%}
        {%- set days_with_file = plan[2].split(',') if plan[2] else [] -%}
        {%- if plan[3] <= 2 * plan[4] + days_with_file | length -%}
            {%- set days_to_replace = days_with_file -%}
        {%- endif -%}
    {%- endif -%}
    {%- set rewrite_all = blockers_count > 0 or days[1] > 0
        or changed_days | length == all_days | length -%}
    {%- set days_to_replace = [] if rewrite_all else days_to_replace | default([]) -%}
    {%- set days_to_write = all_days if rewrite_all
        else changed_days | reject('in', days_to_replace) | list -%}
    {%- set options = 'format parquet, partition_by (' ~ day_column
        ~ '), write_partition_columns true' -%}
    {%- for day in days_to_replace %}
        copy (select * from {{ this }} where {{ day_column }} = cast({{ sql_string(day) }} as date))
        to {{ sql_string(folder ~ '/' ~ day_column ~ '=' ~ day ~ '/data_0.parquet') }}
        (format parquet);
    {%- endfor %}
    {%- if rewrite_all and all_days | length <= days_per_statement -%}
        copy (select * from {{ this }}) to {{ sql_string(folder) }} ({{ options }}, overwrite);
    {%- elif days_to_write -%}
        {%- for chunk in days_to_write | batch(days_per_statement) %}
        copy (
            select * from {{ this }}
            where {{ day_column }} in (
                {%- for day in chunk -%}
                    cast({{ sql_string(day) }} as date){{ ", " if not loop.last }}
                {%- endfor -%}
            )
            {%- if rewrite_all and loop.first %} or {{ day_column }} is null{% endif %}
        ) to {{ sql_string(folder) }}
        ({{ options }}, {{ 'overwrite' if rewrite_all and loop.first else 'overwrite_or_ignore' }});
        {%- endfor %}
    {%- endif %}
    {%- if days_to_replace or days_to_write or rewrite_all %}
        copy (select * from {{ digest }} order by day) to {{ sql_string(record) }}
        (format csv, header true);
    {%- endif %}
    drop table {{ digest }}
{%- endmacro %}

{% macro default__export_parquet_by_day(folder, day_column) -%}
    {{ exceptions.raise_compiler_error(
        "export_parquet_by_day has no implementation for the " ~ target.type ~ " adapter") }}
{%- endmacro %}
