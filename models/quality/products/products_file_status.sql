{{ file_status_model('products') }}
