{{ union_source_models('quarantine') }}
