{{ validated_rows_model('users') }}
