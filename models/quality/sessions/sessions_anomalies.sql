{{ anomaly_scores(ref('sessions_daily_metrics')) }}
