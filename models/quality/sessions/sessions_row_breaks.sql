-- depends_on: {{ ref('cfg_business_rules') }}
{{ row_breaks_model('sessions', 'session_id') }}
