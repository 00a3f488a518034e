"""How old each source's newest load may be, from config/quality_thresholds.yaml."""

from ecom_elt.config import load_quality_thresholds
from ecom_elt.dbt_tables import to_relation


def model(dbt, session):
    dbt.config(materialized="table")
    freshness = load_quality_thresholds().freshness
    return to_relation(
        session,
        "cfg_freshness_limits",
        {"source": "varchar", "warn_after_hours": "double", "error_after_hours": "double"},
        [(source, f.warn_after_hours, f.error_after_hours) for source, f in freshness.items()],
    )
