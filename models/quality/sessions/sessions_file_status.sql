{{ file_status_model('sessions') }}
