{{ validated_rows_model('api_logs') }}
