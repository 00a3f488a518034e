{#- Pre-hook of the incremental models: on an incremental run, deletes the target's rows whose
    `config_fingerprint` differs from this run's config_fingerprint(ref_names, include_pii_salt)
    (pass the model's own arguments). After a config edit that leaves the model empty, so the
    run rebuilds it fully, as --full-refresh would. On a first or full-refresh run: nothing. -#}
{% macro delete_rows_of_other_config(ref_names=[], include_pii_salt=false) -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where config_fingerprint is null
            or config_fingerprint
            <> {{ sql_string(config_fingerprint(ref_names, include_pii_salt)) }}
    {%- endif -%}
{%- endmacro %}
