{{ union_source_models('anomalies') }}
