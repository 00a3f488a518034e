{{ daily_row_volume('sessions') }}
