{{ quarantine_model('sessions', 'session_id') }}
