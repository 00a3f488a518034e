{{ anomaly_scores(ref('orders_daily_metrics')) }}
