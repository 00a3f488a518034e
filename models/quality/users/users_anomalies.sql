{{ anomaly_scores(ref('users_daily_metrics')) }}
