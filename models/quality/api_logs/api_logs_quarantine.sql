{{ quarantine_model('api_logs', 'request_id') }}
