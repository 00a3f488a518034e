"""The anomaly detector's settings per metric, from config/quality_thresholds.yaml."""

from dataclasses import astuple

from ecom_elt.config import AnomalySettings, load_quality_thresholds
from ecom_elt.dbt_tables import to_relation

TYPES = {
    "metric": "varchar",
    "baseline_weeks": "integer",
    "min_history": "integer",
    "z_limit": "double",
    "min_spread_share": "double",
    "settle_days": "integer",
    "log_scale": "boolean",
    "is_rate": "boolean",
    "is_count": "boolean",
    "direction": "varchar",
    "min_relative_change": "double",
    "min_absolute_change": "double",
}


def model(dbt, session):
    dbt.config(materialized="table")
    settings = load_quality_thresholds().anomalies
    assert tuple(TYPES) == tuple(AnomalySettings.__dataclass_fields__)
    columns = {("is_log_scale" if c == "log_scale" else c): t for c, t in TYPES.items()}
    return to_relation(
        session, "cfg_anomaly_settings", columns, [astuple(s) for s in settings.values()]
    )
