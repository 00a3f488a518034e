{{ union_source_models('file_checks') }}
