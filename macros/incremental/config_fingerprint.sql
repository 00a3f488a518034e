{#- A fingerprint of everything besides new batches that decides which rows an incremental model
    holds: the rows of quality.cfg_business_rules, cfg_file_thresholds and cfg_source_columns
    (config/business_rules.yaml, quality_thresholds.yaml and data_schemas.json as dbt read them
    this run), the rows of the seeds named in `ref_names` (e.g. exchange rates), the checksum of
    the model's own code and, with `include_pii_salt`, a digest of the PII salt.
    Computed at execution time with run_query. Each row of an incremental model stores it, and
    the pre-hook delete_rows_of_other_config() deletes the rows of another fingerprint: after a
    config edit old files may change status, so the model rebuilds fully on the next run. -#}
{% macro config_fingerprint(ref_names=[], include_pii_salt=false) -%}
    {#- ref() before the execute check, so dbt records the dependencies at parse time. -#}
    {%- set fingerprinted = [
        ref('cfg_business_rules'),
        ref('cfg_file_thresholds'),
        ref('cfg_source_columns'),
    ] -%}
    {%- for name in ref_names -%}
        {%- do fingerprinted.append(ref(name)) -%}
    {%- endfor -%}
    {%- if not execute -%}
        {{ return('parse-time') }}
    {%- endif -%}
    {%- set parts = [] -%}
    {%- for relation in fingerprinted -%}
        {#- A relation not built yet (a linter's empty database, a unit test's fixture): absent. -#}
        {%- if relation.schema is none or load_relation(relation) is none -%}
            {%- do parts.append(relation.identifier ~ '=absent') -%}
        {%- else -%}
            {%- set query -%}
                select
                    {{ dbt.hash(dbt.listagg('row_text', "'\n'", 'order by row_text')) }}
                        as rows_hash
                from (
                    select {{ dbt.cast(row_as_json('fingerprinted_row'), dbt.type_string()) }}
                        as row_text
                    from {{ relation }} as fingerprinted_row
                ) as fingerprinted_rows
            {%- endset -%}
            {%- set rows_hash = run_query(query).columns[0].values()[0] -%}
            {%- do parts.append(relation.identifier ~ '=' ~ rows_hash) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do parts.append('code=' ~ model.checksum.checksum) -%}
    {%- if include_pii_salt -%}
        {%- do parts.append('salt=' ~ local_md5(pii_salt())) -%}
    {%- endif -%}
    {{ return(local_md5(parts | join('|'))) }}
{%- endmacro %}
