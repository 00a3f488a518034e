{{ anomaly_scores(ref('products_daily_metrics')) }}
