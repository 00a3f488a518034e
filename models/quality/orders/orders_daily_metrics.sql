{{ daily_row_volume('orders') }}
