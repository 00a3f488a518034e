{{ daily_row_volume('users') }}
