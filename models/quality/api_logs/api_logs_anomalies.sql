{{ anomaly_scores(ref('api_logs_daily_metrics')) }}
