{{ quarantine_model('users', 'user_id') }}
