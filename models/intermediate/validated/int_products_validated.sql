{{ validated_rows_model('products') }}
