"""quality.run_history: one row per report run, so the dashboard can show trends across runs.

The report creates the table when it is missing and adds columns it learns later, so an older
warehouse keeps its history.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import duckdb

COLUMNS = {
    "run_at": "timestamp",
    "invocation_id": "varchar",
    "dbt_command": "varchar",
    "dbt_generated_at": "timestamp",
    "dbt_elapsed_s": "double",
    "report_s": "double",
    "files_delivered": "integer",
    "files_validated": "integer",
    "files_rejected": "integer",
    "rows_delivered": "bigint",
    "rows_quarantined": "bigint",
    "models_ok": "integer",
    "models_error": "integer",
    "nodes_skipped": "integer",
    "tests_pass": "integer",
    "tests_warn": "integer",
    "tests_fail": "integer",
    "tests_error": "integer",
    "anomalies": "integer",
    "alerts_error": "integer",
    "alerts_warn": "integer",
    "exit_reason": "varchar",
}
TABLE = "quality.run_history"


def ensure_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists quality")
    column_sql = ", ".join(f"{name} {kind}" for name, kind in COLUMNS.items())
    con.execute(f"create table if not exists {TABLE} ({column_sql})")
    for name, kind in COLUMNS.items():
        con.execute(f"alter table {TABLE} add column if not exists {name} {kind}")


def append_run(con: duckdb.DuckDBPyConnection, row: dict[str, Any]) -> None:
    """Append one run; unknown keys are an error (a typo would silently lose a figure)."""
    unknown = set(row) - set(COLUMNS)
    if unknown:
        raise ValueError(f"unknown run_history columns {sorted(unknown)}")
    ensure_table(con)
    names = list(row)
    marks = ", ".join("?" for _ in names)
    con.execute(
        f"insert into {TABLE} ({', '.join(names)}) values ({marks})", [row[n] for n in names]
    )


def read_history(con: duckdb.DuckDBPyConnection, last: int = 60) -> list[dict[str, Any]]:
    """The last `last` runs, oldest first."""
    cursor = con.execute(
        f"select * from (select * from {TABLE} order by run_at desc limit ?) order by run_at",
        [last],
    )
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]


def run_row(
    *,
    run_at: datetime,
    dbt: dict[str, Any],
    files: dict[str, Any],
    anomalies: int,
    alerts: dict[str, int],
    report_s: float,
    exit_reason: str,
) -> dict[str, Any]:
    tests = dbt.get("tests", {})
    models = dbt.get("models", {})
    return {
        "run_at": run_at.replace(tzinfo=None),
        "invocation_id": dbt.get("invocation_id"),
        "dbt_command": dbt.get("command"),
        "dbt_generated_at": _naive(dbt.get("generated_at_dt")),
        "dbt_elapsed_s": dbt.get("elapsed_seconds"),
        "report_s": report_s,
        "files_delivered": files["delivered"],
        "files_validated": files["validated"],
        "files_rejected": files["rejected"],
        "rows_delivered": files["rows_delivered"],
        "rows_quarantined": files["rows_quarantined"],
        "models_ok": models.get("success", 0),
        "models_error": models.get("error", 0),
        "nodes_skipped": dbt.get("nodes", {}).get("skipped", 0),
        "tests_pass": tests.get("pass", 0),
        "tests_warn": tests.get("warn", 0),
        "tests_fail": tests.get("fail", 0),
        "tests_error": tests.get("error", 0),
        "anomalies": anomalies,
        "alerts_error": alerts.get("error", 0),
        "alerts_warn": alerts.get("warn", 0),
        "exit_reason": exit_reason,
    }


def _naive(value: datetime | None) -> datetime | None:
    return None if value is None else value.replace(tzinfo=None)
