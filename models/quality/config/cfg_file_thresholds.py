"""The limits every delivered file is judged against, from config/quality_thresholds.yaml."""

from ecom_elt.config import load_quality_thresholds
from ecom_elt.dbt_tables import to_relation


def model(dbt, session):
    dbt.config(materialized="table")
    thresholds = load_quality_thresholds()
    rows = []
    for source, limits in thresholds.files.items():
        rows.append((source, "min_rows", None, float(limits.min_rows), limits.severity))
        rows.append(
            (source, "max_quarantined_share", None, limits.max_quarantined_share, limits.severity)
        )
        rows.append(
            (source, "max_duplicate_share", None, limits.max_duplicate_share, limits.severity)
        )
        for column, share in sorted(limits.min_completeness.items()):
            rows.append((source, "min_completeness", column, share, limits.severity))
    return to_relation(
        session,
        "cfg_file_thresholds",
        {
            "source": "varchar",
            "check_name": "varchar",
            "column_name": "varchar",
            "threshold": "double",
            "severity": "varchar",
        },
        rows,
    )
