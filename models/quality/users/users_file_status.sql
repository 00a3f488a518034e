{{ file_status_model('users') }}
