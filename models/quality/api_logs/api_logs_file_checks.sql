-- depends_on: {{ ref('cfg_file_thresholds') }}
{{ file_checks_model('api_logs') }}
