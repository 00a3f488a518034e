{{ validated_rows_model('sessions') }}
