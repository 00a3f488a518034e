{{ daily_row_volume('api_logs') }}
