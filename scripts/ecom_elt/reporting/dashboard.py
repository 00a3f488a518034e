"""The dashboard: one self-contained HTML file from a Jinja template with autoescape.

Everything is inline (styles, a small script, charts as SVG) and a Content-Security-Policy
forbids the page any network request, so it opens from file:// on a laptop without network, and
a hostile value in the data (a file named `<script>....csv`) is shown as text, never run.
"""

from __future__ import annotations

import base64
import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from ecom_elt.reporting import charts
from ecom_elt.reporting.alerts import Alert
from ecom_elt.reporting.artifacts import DbtRun
from ecom_elt.reporting.formats import metric_label, metric_value, percent, seconds
from ecom_elt.reporting.quality import QualitySnapshot

TEMPLATE = "dashboard.html.j2"
SCRIPT = "dashboard.js"
STATUS_ORDER = {"error": 0, "fail": 1, "warn": 2, "skipped": 3, "pass": 4, "success": 5}


@dataclass(frozen=True)
class DashboardInput:
    generated_at: datetime
    data_root: Path
    run: DbtRun
    snapshot: QualitySnapshot
    alerts: list[Alert]
    report_names: dict[int, str]
    history: list[dict[str, Any]]
    business: dict[str, Any]


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("ecom_elt.reporting", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        percent=percent, seconds=seconds, metric_value=metric_value, metric_label=metric_label
    )
    return env


def _script(env: Environment) -> tuple[Markup, str]:
    """The inline script (our own file, not data) and its CSP hash."""
    source = env.loader.get_source(env, SCRIPT)[0]  # type: ignore[union-attr]
    digest = base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode()
    return Markup(source), f"'sha256-{digest}'"


def _file_grid(data: DashboardInput) -> dict[str, Any]:
    """Sources x business dates, each cell the worst status of that day's files."""
    files = [f for f in data.snapshot.files if f.source and f.business_date]
    days = sorted({f.business_date for f in files})
    sources = sorted({f.source for f in files})
    cells: dict[tuple[str, date], list] = defaultdict(list)
    for f in files:
        cells[(f.source, f.business_date)].append(f)
    size, gap, label = 12, 2, 80
    width = label + len(days) * (size + gap) + 10
    rects = []
    for row, source in enumerate(sources):
        for col, day in enumerate(days):
            found = cells.get((source, day), [])
            if not found:
                status = "missing"
            elif any(f.is_rejected for f in found):
                status = "rejected"
            elif all(f.is_validated for f in found):
                status = "validated"
            else:
                status = "not_judged"
            names = ", ".join(f"{f.file_name} ({f.status})" for f in found) or "no file"
            rects.append(
                {
                    "x": label + col * (size + gap),
                    "y": row * (size + gap),
                    "status": status,
                    "title": f"{source} {day.isoformat()}: {names}",
                }
            )
    months = [
        {"x": label + col * (size + gap), "text": day.strftime("%d %b")}
        for col, day in enumerate(days)
        if col % 14 == 0
    ]
    return {
        "rects": rects,
        "sources": [{"y": i * (size + gap) + size - 2, "name": s} for i, s in enumerate(sources)],
        "ticks": months,
        "width": width,
        "height": len(sources) * (size + gap) + 18,
        "size": size,
        "axis_y": len(sources) * (size + gap) + 12,
    }


def _completeness(data: DashboardInput) -> list[dict[str, Any]]:
    totals: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    worst: dict[tuple[str, str], tuple[float, str]] = {}
    for f in data.snapshot.files:
        for column, (filled, rows) in f.completeness.items():
            key = (f.source or "unknown", column)
            totals[key][0] += filled
            totals[key][1] += rows
            if rows:
                share = filled / rows
                totals[key][2] += 1
                if key not in worst or share < worst[key][0]:
                    worst[key] = (share, f.file_name)
    result = []
    for (source, column), (filled, rows, files) in sorted(totals.items()):
        share = filled / rows if rows else None
        low = worst.get((source, column))
        result.append(
            {
                "source": source,
                "column": column,
                "share": share,
                "files": files,
                "worst_share": low[0] if low else None,
                "worst_file": low[1] if low else "",
                "bar": 0 if share is None else round(120 * share, 1),
            }
        )
    return result


def _errors(data: DashboardInput) -> list[dict[str, Any]]:
    rules: dict[tuple[str, str, str], dict[str, Any]] = {}
    for f in data.snapshot.files:
        for b in f.errors + f.warnings:
            key = (f.source or "unknown", b.rule_name, b.severity)
            entry = rules.setdefault(
                key,
                {
                    "source": key[0],
                    "rule": b.rule_name,
                    "severity": b.severity,
                    "message": b.message,
                    "rows": 0,
                    "files": 0,
                },
            )
            entry["rows"] += b.rows
            entry["files"] += 1
    return sorted(rules.values(), key=lambda e: (e["severity"] != "error", -e["rows"], e["rule"]))


def _tests(data: DashboardInput) -> list[dict[str, Any]]:
    rows = []
    for t in data.run.tests:
        rows.append(
            {
                "status": t.status,
                "name": t.name,
                "kind": t.test_name or t.resource_type,
                "model": t.model_relation or t.model or "",
                "column": t.column or "",
                "failures": t.failures,
                "severity": t.severity or "",
                "seconds": t.execution_time,
                "message": t.message,
                "description": t.description,
            }
        )
    return sorted(rows, key=lambda r: (STATUS_ORDER.get(r["status"], 9), r["model"], r["name"]))


def _anomaly_section(data: DashboardInput) -> dict[str, Any]:
    by_series: dict[tuple[str, str], list] = defaultdict(list)
    statuses: dict[str, int] = defaultdict(int)
    for a in data.snapshot.anomalies:
        by_series[(a.metric, a.source)].append(a)
        statuses[a.status] += 1
    order = list(charts_order())
    series = sorted(
        by_series.items(),
        key=lambda kv: (order.index(kv[0][0]) if kv[0][0] in order else 99, kv[0][1]),
    )
    flagged = [a for a in data.snapshot.anomalies if a.is_anomaly]
    return {
        "charts": [charts.anomaly_chart(m, s, days) for (m, s), days in series],
        "statuses": dict(sorted(statuses.items())),
        "flagged": sorted(flagged, key=lambda a: (a.day, a.metric, a.source)),
    }


def charts_order() -> tuple[str, ...]:
    return (
        "row_volume",
        "net_revenue_eur",
        "conversion_rate",
        "api_server_error_rate",
        "api_p95_latency_ms",
    )


def _timings(data: DashboardInput) -> dict[str, Any]:
    nodes = sorted(data.run.results, key=lambda n: -n.execution_time)
    models = [n for n in nodes if not n.is_test]
    top = models[:25]
    chart = charts.bar_chart(
        "Slowest models",
        [(n.name, n.execution_time, seconds(n.execution_time), n.status) for n in top],
    )
    return {
        "chart": chart,
        "models": models,
        "model_seconds": sum(n.execution_time for n in models),
        "test_seconds": sum(n.execution_time for n in nodes if n.is_test),
    }


def _trends(history: list[dict[str, Any]]) -> list[charts.LineChart]:
    if not history:
        return []
    labels = [h["run_at"].strftime("%d %b %H:%M") if h["run_at"] else "?" for h in history]
    findings = charts.line_chart(
        "Findings per run",
        f"last {len(history)} report runs",
        labels,
        {
            "files rejected": [h.get("files_rejected") for h in history],
            "tests failed or warned": [
                (h.get("tests_fail") or 0)
                + (h.get("tests_warn") or 0)
                + (h.get("tests_error") or 0)
                for h in history
            ],
            "anomalies": [h.get("anomalies") for h in history],
        },
        value_text=lambda v: f"{v:,.0f}",
    )
    volume = charts.line_chart(
        "Rows per run",
        "rows delivered and rows kept out (quarantined), whole warehouse",
        labels,
        {
            "rows delivered": [h.get("rows_delivered") for h in history],
            "rows quarantined": [h.get("rows_quarantined") for h in history],
        },
        value_text=lambda v: f"{v:,.0f}",
    )
    durations = charts.line_chart(
        "Durations per run",
        "seconds",
        labels,
        {
            "dbt build": [h.get("dbt_elapsed_s") for h in history],
            "report": [h.get("report_s") for h in history],
        },
        value_text=lambda v: f"{v:,.1f} s",
    )
    return [findings, volume, durations]


def render_dashboard(data: DashboardInput) -> str:
    env = _environment()
    script, script_hash = _script(env)
    files = data.snapshot.files
    tests = data.run.tests
    counts = {
        "files": len(files),
        "validated": sum(1 for f in files if f.is_validated),
        "rejected": sum(1 for f in files if f.is_rejected),
        "rows": sum(f.row_count for f in files),
        "quarantined": sum(f.quarantined_rows for f in files),
        "tests": data.run.status_counts(tests),
        "tests_total": len(tests),
        "models": data.run.status_counts(data.run.models),
        "anomalies": sum(1 for a in data.snapshot.anomalies if a.is_anomaly),
        "alerts": {
            s: sum(1 for a in data.alerts if a.severity == s) for s in ("error", "warn", "info")
        },
    }
    overall = "error" if counts["alerts"]["error"] else "warn" if counts["alerts"]["warn"] else "ok"
    template = env.get_template(TEMPLATE)
    return template.render(
        generated_at=data.generated_at,
        data_root=str(data.data_root),
        run=data.run,
        overall=overall,
        counts=counts,
        alerts=data.alerts,
        files=sorted(files, key=lambda f: (f.is_validated, not f.is_rejected)),
        report_names=data.report_names,
        grid=_file_grid(data),
        completeness=_completeness(data),
        errors=_errors(data),
        tests=_tests(data),
        anomalies=_anomaly_section(data),
        freshness=data.snapshot.freshness,
        timings=_timings(data),
        trends=_trends(data.history),
        business=data.business,
        missing=data.snapshot.missing,
        script=script,
        script_hash=script_hash,
    )


def write_dashboard(data: DashboardInput, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".html.tmp")
    tmp.write_text(render_dashboard(data), encoding="utf-8")
    tmp.replace(path)
    return path
