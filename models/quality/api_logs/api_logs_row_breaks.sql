-- depends_on: {{ ref('cfg_business_rules') }}
{{ row_breaks_model('api_logs', 'request_id') }}
