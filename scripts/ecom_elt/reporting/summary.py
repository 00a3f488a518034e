"""run_summary.json: the run in figures, for machines (CI, schedulers, the webhook)."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

from ecom_elt.reporting.alerts import Alert
from ecom_elt.reporting.artifacts import DbtRun
from ecom_elt.reporting.quality import QualitySnapshot

SUMMARY_VERSION = 1


def dbt_figures(run: DbtRun) -> dict[str, Any]:
    models = sorted(run.models, key=lambda n: -n.execution_time)
    return {
        "invocation_id": run.invocation_id,
        "command": run.command,
        "dbt_version": run.dbt_version,
        "generated_at": run.generated_at.isoformat() if run.generated_at else None,
        "generated_at_dt": run.generated_at,
        "elapsed_seconds": round(run.elapsed_seconds, 3),
        "nodes": run.status_counts(),
        "models": run.status_counts(run.models),
        "tests": run.status_counts(run.tests),
        "slowest_models": [
            {"name": n.name, "seconds": round(n.execution_time, 3), "status": n.status}
            for n in models[:10]
        ],
        "problems": [
            {
                "name": n.name,
                "type": n.resource_type,
                "status": n.status,
                "failures": n.failures,
                "model": n.model,
                "column": n.column,
                "message": n.message,
            }
            for n in run.results
            if n.is_problem
        ],
    }


def file_figures(snapshot: QualitySnapshot) -> dict[str, Any]:
    files = snapshot.files
    by_source: dict[str, dict[str, int]] = {}
    for f in files:
        entry = by_source.setdefault(
            f.source or "unknown",
            {"delivered": 0, "validated": 0, "rejected": 0, "not_judged": 0, "rows": 0},
        )
        entry["delivered"] += 1
        entry[f.status if f.status in entry else "not_judged"] += 1
        entry["rows"] += f.row_count
    return {
        "delivered": len(files),
        "validated": sum(1 for f in files if f.is_validated),
        "rejected": sum(1 for f in files if f.is_rejected),
        "rows_delivered": sum(f.row_count for f in files),
        "rows_quarantined": sum(f.quarantined_rows for f in files),
        "by_source": dict(sorted(by_source.items())),
        "rejected_files": [
            {"file": f.file_name, "source": f.source, "reasons": list(f.reasons)}
            for f in snapshot.rejected
        ],
        "load_seconds": round(sum(f.load_seconds or 0.0 for f in files), 3),
    }


def anomaly_figures(snapshot: QualitySnapshot) -> dict[str, Any]:
    return {
        "judged_days": len(snapshot.anomalies),
        "statuses": dict(sorted(Counter(a.status for a in snapshot.anomalies).items())),
        "flagged": [
            {
                "metric": a.metric,
                "source": a.source,
                "day": a.day.isoformat(),
                "value": a.value,
                "baseline": a.baseline,
                "lower_bound": a.lower_bound,
                "upper_bound": a.upper_bound,
                "relative_change": a.relative_change,
            }
            for a in snapshot.anomalies
            if a.is_anomaly
        ],
    }


def alert_counts(alerts: list[Alert]) -> dict[str, int]:
    counts = Counter(a.severity for a in alerts)
    return {s: counts.get(s, 0) for s in ("error", "warn", "info")}


def exit_reason(dbt: dict[str, Any], files: dict[str, Any], alerts: dict[str, int]) -> str:
    """One sentence on how the run went, for people skimming the summary."""
    problems = []
    if dbt["models"].get("error"):
        problems.append(f"{dbt['models']['error']} model(s) failed to build")
    failing = dbt["tests"].get("fail", 0) + dbt["tests"].get("error", 0)
    if failing:
        problems.append(f"{failing} dbt test(s) failed")
    if dbt["tests"].get("warn"):
        problems.append(f"{dbt['tests']['warn']} dbt test(s) warn")
    if files["rejected"]:
        problems.append(f"{files['rejected']} file(s) rejected")
    if not problems and not alerts.get("error") and not alerts.get("warn"):
        return "clean run: reports written"
    return "reports written; " + ", ".join(problems or ["warnings only"])


def write_summary(document: dict[str, Any], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(document, indent=2, default=_json_default) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    return str(value)
