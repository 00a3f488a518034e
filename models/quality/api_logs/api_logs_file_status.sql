{{ file_status_model('api_logs') }}
