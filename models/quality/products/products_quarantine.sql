{{ quarantine_model('products', 'product_id') }}
