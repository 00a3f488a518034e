{{ file_status_model('orders') }}
