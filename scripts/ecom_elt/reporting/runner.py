"""The report step end to end: read dbt's artifacts and the warehouse once, write every output.

`write_reports` takes no lock: `report` (the command) and `elt` (which already holds the
pipeline lock) call it after dbt has finished.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from ecom_elt.config import AlertsConfig, load_alerts_config, load_data_schemas
from ecom_elt.paths import DataRoot
from ecom_elt.reporting import history
from ecom_elt.reporting.alerts import build_alerts, write_alert_file
from ecom_elt.reporting.artifacts import DbtRun, read_dbt_run, target_path
from ecom_elt.reporting.business import write_business_reports
from ecom_elt.reporting.dashboard import DashboardInput, write_dashboard
from ecom_elt.reporting.quality import read_quality
from ecom_elt.reporting.summary import (
    SUMMARY_VERSION,
    alert_counts,
    anomaly_figures,
    dbt_figures,
    exit_reason,
    file_figures,
    write_summary,
)
from ecom_elt.reporting.validation import report_names, write_validation_reports
from ecom_elt.reporting.webhook import post_alerts

log = logging.getLogger(__name__)

ALERT_FILE = "quality_alert.txt"
SUMMARY_FILE = "run_summary.json"
DASHBOARD_FILE = "dashboard.html"


class WarehouseError(Exception):
    """The warehouse is missing or cannot be opened (held by another process)."""


@dataclass
class ReportOutcome:
    alert_file: Path
    summary_file: Path
    dashboard: Path
    validation_reports: dict[int, Path]
    business_files: list[Path] = field(default_factory=list)
    skipped_reports: dict[str, str] = field(default_factory=dict)
    alerts: dict[str, int] = field(default_factory=dict)
    exit_reason: str = ""
    summary: dict[str, Any] = field(default_factory=dict)


def open_warehouse(root: DataRoot) -> duckdb.DuckDBPyConnection:
    if not root.warehouse.exists():
        raise WarehouseError(
            f"no warehouse at {root.warehouse}: run `make elt` (or load and `dbt build`) first"
        )
    try:
        # Read-write: the report appends to quality.run_history.
        return duckdb.connect(str(root.warehouse))
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise WarehouseError(
                f"{root.warehouse} is in use by another process (a load or dbt build?); "
                "run the report when it has finished"
            ) from None
        raise WarehouseError(f"{root.warehouse}: cannot be opened: {exc}") from None


def write_reports(
    root: DataRoot,
    target: Path | None = None,
    *,
    alerts_config: AlertsConfig | None = None,
    now: datetime | None = None,
) -> ReportOutcome:
    """Write the alert file, validation reports, run summary, dashboard and business reports.

    Raises ArtifactsError (no run_results.json), WarehouseError, or ConfigError; findings in
    the data (rejected files, failed tests, anomalies) are written, not raised.
    """
    started = time.monotonic()
    now = now or datetime.now(UTC)
    alerts_config = alerts_config or load_alerts_config()
    schemas = load_data_schemas()
    run: DbtRun = read_dbt_run(target or target_path())
    con = open_warehouse(root)
    try:
        snapshot = read_quality(con, schemas)
        names = report_names(snapshot.files)
        alerts = build_alerts(run, snapshot, names)
        write_alert_file(alerts, root.quality / ALERT_FILE, now)
        validation = write_validation_reports(snapshot.files, schemas, root.quality)
        business = write_business_reports(con, root.reports)

        dbt = dbt_figures(run)
        files = file_figures(snapshot)
        anomalies = anomaly_figures(snapshot)
        counts = alert_counts(alerts)
        reason = exit_reason(dbt, files, counts)
        history.append_run(
            con,
            history.run_row(
                run_at=now,
                dbt=dbt,
                files=files,
                anomalies=len(anomalies["flagged"]),
                alerts=counts,
                report_s=round(time.monotonic() - started, 3),
                exit_reason=reason,
            ),
        )
        past_runs = history.read_history(con)
        business_view = {"written": business.row_counts, "skipped": business.skipped}
        dashboard = write_dashboard(
            DashboardInput(now, root.root, run, snapshot, alerts, names, past_runs, business_view),
            root.quality / DASHBOARD_FILE,
        )
    finally:
        con.close()

    summary: dict[str, Any] = {
        "summary_version": SUMMARY_VERSION,
        "generated_at": now.isoformat(),
        "data_root": str(root.root),
        "exit_code": 0,
        "exit_reason": reason,
        "dbt": {k: v for k, v in dbt.items() if k != "generated_at_dt"},
        "files": files,
        "anomalies": anomalies,
        "freshness": {f.source: f.status for f in snapshot.freshness},
        "alerts": counts,
        "missing_relations": snapshot.missing,
    }
    hook = post_alerts(
        alerts_config,
        alerts,
        {
            "generated_at": summary["generated_at"],
            "data_root": summary["data_root"],
            "exit_reason": reason,
            "alerts": counts,
            "files": {k: files[k] for k in ("delivered", "validated", "rejected")},
            "dashboard": str(dashboard),
        },
    )
    summary["timings"] = {
        "dbt_elapsed_s": dbt["elapsed_seconds"],
        "load_s": files["load_seconds"],
        "report_s": round(time.monotonic() - started, 3),
        "slowest_models": dbt["slowest_models"],
    }
    summary["outputs"] = {
        "alert_file": str(root.quality / ALERT_FILE),
        "dashboard": str(dashboard),
        "validation_reports": len(validation),
        "business_reports": [str(p) for p in business.csv_files]
        + ([str(business.workbook)] if business.workbook else []),
        "business_reports_skipped": business.skipped,
    }
    summary["webhook"] = hook.as_dict()
    summary_file = write_summary(summary, root.quality / SUMMARY_FILE)
    log.info(
        "report: %d alert(s) (%d error, %d warn), %d validation reports, dashboard %s",
        len(alerts),
        counts["error"],
        counts["warn"],
        len(validation),
        dashboard,
    )
    return ReportOutcome(
        alert_file=root.quality / ALERT_FILE,
        summary_file=summary_file,
        dashboard=dashboard,
        validation_reports=validation,
        business_files=[*business.csv_files, *([business.workbook] if business.workbook else [])],
        skipped_reports=business.skipped,
        alerts=counts,
        exit_reason=reason,
        summary=summary,
    )
