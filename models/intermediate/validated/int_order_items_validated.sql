{{ validated_rows_model('order_items', parent='orders') }}
