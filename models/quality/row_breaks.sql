{{ union_source_models('row_breaks') }}
