{{ quarantine_model('orders', 'order_id') }}
