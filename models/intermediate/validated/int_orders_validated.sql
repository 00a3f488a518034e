{{ validated_rows_model('orders') }}
