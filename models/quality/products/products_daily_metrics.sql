{{ daily_row_volume('products') }}
