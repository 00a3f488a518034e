"""The alerts of a run, and `quality_alert.txt`: one line per alert, worst first.

Each line says when, how bad, what kind (file, test, model, freshness, anomaly, run), what broke
in business words, and where to look. Every rejected file is named; a clean run gets one line
saying so, so an empty file never has to be interpreted.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from ecom_elt.reporting.artifacts import DbtRun, NodeResult
from ecom_elt.reporting.formats import (
    metric_label,
    metric_value,
    one_line,
    signed_percent,
)
from ecom_elt.reporting.quality import Anomaly, DeliveredFile, QualitySnapshot

SEVERITY_RANK = {"ok": 0, "info": 1, "warn": 2, "error": 3}
SCOPE_ORDER = ("run", "file", "model", "test", "freshness", "anomaly")


@dataclass(frozen=True)
class Alert:
    severity: str  # info, warn or error ("ok" only for the clean-run line)
    scope: str  # run, file, model, test, freshness, anomaly
    message: str
    where: str

    def line(self, at: datetime) -> str:
        stamp = at.strftime("%Y-%m-%dT%H:%M:%SZ")
        return (
            f"{stamp}  {self.severity.upper():<5}  {self.scope:<9}  {one_line(self.message)}"
            f"  | look at: {one_line(self.where)}"
        )

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def _rows(count: int) -> str:
    return f"{count:,} row" if count == 1 else f"{count:,} rows"


def _file_alert(f: DeliveredFile, report_name: str | None, table: str) -> Alert:
    what = f"{f.source or 'unknown source'}"
    if f.business_date:
        what += f", {f.business_date.isoformat()}"
    severity = "error"
    if f.load_outcome == "duplicate":
        # Nothing is lost: the same bytes were loaded once already.
        severity, stage = "warn", "delivered again, not loaded twice"
    elif f.load_outcome in ("rejected", "unknown") or not f.checks:
        stage = "rejected at load"
    else:
        stage = f"rejected ({_rows(f.row_count)} kept out of the marts)"
    reasons = "; ".join(f.reasons) or "no reason recorded"
    where = [f"{table} (file_id {f.file_id})"]
    if f.archived_to or f.file_path:
        where.append(f"file {f.archived_to or f.file_path}")
    if report_name:
        where.append(f"quality/{report_name}")
    return Alert(
        severity, "file", f"file {f.file_name} ({what}) {stage}: {reasons}", ", ".join(where)
    )


def file_alerts(snapshot: QualitySnapshot, report_names: dict[int, str]) -> list[Alert]:
    """Every rejected file by name; then, per source and rule, rows kept out of validated files
    and warnings (one line each, not one per file)."""
    alerts = [
        _file_alert(f, report_names.get(f.file_id), snapshot.files_from) for f in snapshot.rejected
    ]
    kept: dict[tuple[str, str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    for f in snapshot.files:
        if not f.is_validated:
            continue
        source = f.source or "unknown"
        for b in f.errors + f.warnings:
            entry = kept[(source, b.severity, b.rule_name, b.message)]
            entry[0] += b.rows
            entry[1] += 1
        for note in f.loader_warnings:
            kept[(source, "loader", note.rule, note.message)][1] += 1
    for (source, severity, rule, words), (rows, files) in sorted(kept.items()):
        if severity == "error":
            message = (
                f"{source}: {_rows(rows)} in {files} validated file(s) quarantined, "
                f"breaking {rule} ({words})"
            )
            where = f"quality.quarantine, quality.row_breaks where rule_name = '{rule}'"
        elif severity == "loader":
            message = f"{source}: {files} file(s) loaded with a warning: {rule}: {words}"
            where = "staging.delivered_files.warnings, the files' validation reports"
        else:
            message = f"{source}: {_rows(rows)} in {files} file(s) warn: {rule} ({words})"
            where = f"quality.row_breaks where rule_name = '{rule}'"
        alerts.append(Alert("warn", "file", message, where))
    return alerts


def _test_alert(test: NodeResult) -> Alert:
    target = test.model_relation or test.model or "the project"
    if test.column:
        target += f".{test.column}"
    if test.status == "error":
        outcome = f"could not run: {test.message}"
    else:
        verdict = "failed" if test.status == "fail" else "warns"
        outcome = f"{verdict}: {test.message}" if test.message else verdict
    about = f" — {test.description}" if test.description else ""
    where = target
    if test.failures_relation:
        where += f"; failing rows in {test.failures_relation}"
    if test.compiled_path:
        where += f"; test SQL {test.compiled_path}"
    generic = test.test_name or "test"
    if test.arguments:
        generic += f": {test.arguments}"
    kind = "unit test" if test.resource_type == "unit_test" else "test"
    return Alert(
        "warn" if test.status == "warn" else "error",
        "test",
        f"{kind} {test.name} ({generic}) on {target} {outcome}{about}",
        where,
    )


def dbt_alerts(run: DbtRun) -> list[Alert]:
    alerts = []
    for node in run.results:
        if node.is_test and node.is_problem:
            alerts.append(_test_alert(node))
        elif not node.is_test and node.status == "error":
            alerts.append(
                Alert(
                    "error",
                    "model",
                    f"{node.resource_type} {node.name} failed to build: {node.message}",
                    f"{node.relation or node.unique_id}; dbt log in the logs folder",
                )
            )
    skipped = [n for n in run.results if n.status == "skipped"]
    if skipped:
        names = ", ".join(n.name for n in skipped[:8]) + (" ..." if len(skipped) > 8 else "")
        alerts.append(
            Alert(
                "warn",
                "model",
                f"{len(skipped)} dbt node(s) skipped because something upstream failed: {names}",
                f"{run.target_path / 'run_results.json'}",
            )
        )
    return alerts


def anomaly_alert(a: Anomaly) -> Alert:
    band = (
        f"{metric_value(a.metric, a.lower_bound)} to {metric_value(a.metric, a.upper_bound)}"
        if a.lower_bound is not None and a.upper_bound is not None
        else "no band"
    )
    message = (
        f"{metric_label(a.metric)} of {a.source} on {a.day.isoformat()} ({a.day:%A}) was "
        f"{metric_value(a.metric, a.value)}, expected {band} "
        f"(baseline {metric_value(a.metric, a.baseline)}, the {a.baseline_description}), "
        f"change {signed_percent(a.relative_change)}"
    )
    where = (
        f"quality.anomalies where metric = '{a.metric}' and source = '{a.source}' "
        f"and day = '{a.day.isoformat()}'"
    )
    return Alert("warn", "anomaly", message, where)


def freshness_alerts(snapshot: QualitySnapshot) -> list[Alert]:
    alerts = []
    for fresh in snapshot.freshness:
        if fresh.status not in ("warn", "error"):
            continue
        if fresh.last_loaded_at is None:
            message = f"{fresh.source}: no file of this source has ever been loaded"
        else:
            limit = fresh.error_after_hours if fresh.status == "error" else fresh.warn_after_hours
            message = (
                f"{fresh.source}: last file loaded {fresh.hours_since_last_load:,.1f} hours ago "
                f"(business date {fresh.last_business_date}), over the {limit:g}-hour limit"
            )
        alerts.append(
            Alert(fresh.status, "freshness", message, "quality.source_freshness, data/raw/")
        )
    return alerts


def build_alerts(
    run: DbtRun, snapshot: QualitySnapshot, report_names: dict[int, str]
) -> list[Alert]:
    """Every alert of the run, worst first; a single `ok` line when there is none."""
    alerts: list[Alert] = []
    if snapshot.missing:
        alerts.append(
            Alert(
                "error",
                "run",
                "dbt has not built part of the quality layer (a partial or failed build?): "
                + ", ".join(snapshot.missing)
                + " missing",
                f"{run.target_path / 'run_results.json'}",
            )
        )
    if not snapshot.files and "quality.file_status" not in snapshot.missing:
        alerts.append(Alert("warn", "run", "no delivered file is recorded yet", "data/raw/"))
    alerts += file_alerts(snapshot, report_names)
    alerts += dbt_alerts(run)
    alerts += freshness_alerts(snapshot)
    alerts += [anomaly_alert(a) for a in snapshot.anomalies if a.is_anomaly]
    alerts.sort(key=lambda a: (-SEVERITY_RANK[a.severity], SCOPE_ORDER.index(a.scope)))
    if not alerts:
        tests = [t for t in run.tests if t.status == "pass"]
        alerts.append(
            Alert(
                "ok",
                "run",
                f"clean run: {len(snapshot.files)} files validated, none rejected; "
                f"{len(tests)} dbt tests passed; no anomaly, every source fresh",
                "quality/dashboard.html",
            )
        )
    return alerts


def write_alert_file(alerts: list[Alert], path: Path, at: datetime) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".txt.tmp")
    tmp.write_text("".join(a.line(at) + "\n" for a in alerts), encoding="utf-8")
    tmp.replace(path)
    return path
