"""The warehouse's quality schema, read once into plain values for the reports.

Every figure the validation reports, the alert file and the dashboard show comes from here:
quality.file_status (one verdict per delivered file), quality.file_checks (each check with its
observed value and threshold), quality.row_breaks and quality.quarantine (rule breaks and the
rows kept out), quality.anomalies, quality.source_freshness, and the loader's manifest
staging.delivered_files. A relation that a partial build has not made yet is reported missing,
not fatal: the report is most needed when a run went wrong.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import duckdb

from ecom_elt.config import DataSchemas

log = logging.getLogger(__name__)

EXAMPLES_PER_RULE = 5


@dataclass(frozen=True)
class FileCheck:
    check_name: str
    column_name: str | None
    observed_value: float | None
    threshold: float | None
    numerator: int | None
    denominator: int | None
    passed: bool
    severity: str
    message: str


@dataclass(frozen=True)
class LoaderNote:
    """A reason or warning the loader recorded for a file (from raw._files)."""

    rule: str
    message: str
    example: str | None


@dataclass(frozen=True)
class RuleBreaks:
    """How many rows of one file break one rule, with a few of them."""

    rule_name: str
    column_name: str | None
    severity: str
    message: str
    rows: int
    examples: tuple[dict[str, Any], ...] = ()


@dataclass
class DeliveredFile:
    file_id: int
    file_name: str
    source: str | None
    business_date: date | None
    file_hash: str | None
    file_path: str | None
    load_outcome: str | None
    row_count: int
    status: str
    reasons: tuple[str, ...]
    failed_checks: tuple[str, ...]
    batch_id: int | None
    loaded_at: datetime | None
    size_bytes: int | None = None
    archived_to: str | None = None
    load_seconds: float | None = None
    quarantined_rows: int = 0
    loader_reasons: tuple[LoaderNote, ...] = ()
    loader_warnings: tuple[LoaderNote, ...] = ()
    checks: list[FileCheck] = field(default_factory=list)
    errors: list[RuleBreaks] = field(default_factory=list)
    warnings: list[RuleBreaks] = field(default_factory=list)
    # Per contract column: (rows with a value, rows), as delivered (raw schema).
    completeness: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def is_rejected(self) -> bool:
        return self.status == "rejected"

    @property
    def is_validated(self) -> bool:
        return self.status == "validated"


@dataclass(frozen=True)
class Anomaly:
    metric: str
    source: str
    day: date
    value: float | None
    denominator: float | None
    baseline: float | None
    z_score: float | None
    lower_bound: float | None
    upper_bound: float | None
    relative_change: float | None
    history_days: int
    status: str
    baseline_description: str
    is_anomaly: bool


@dataclass(frozen=True)
class Freshness:
    source: str
    last_loaded_at: datetime | None
    last_business_date: date | None
    hours_since_last_load: float | None
    warn_after_hours: float | None
    error_after_hours: float | None
    status: str


@dataclass
class QualitySnapshot:
    files: list[DeliveredFile]
    anomalies: list[Anomaly]
    freshness: list[Freshness]
    missing: list[str]  # quality relations the build has not made
    files_from: str = "quality.file_status"  # or the loader's manifest when it is missing

    @property
    def rejected(self) -> list[DeliveredFile]:
        return [f for f in self.files if f.is_rejected]


def existing_relations(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Every table and view as `schema.name`."""
    rows = con.execute(
        "select table_schema || '.' || table_name from information_schema.tables"
    ).fetchall()
    return {r[0] for r in rows}


def _dicts(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None):
    cursor = con.execute(sql, params or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _notes(value: Any) -> tuple[LoaderNote, ...]:
    """The loader's reasons/warnings JSON: a list of {rule, message, example}."""
    if value is None:
        return ()
    try:
        items = json.loads(value) if isinstance(value, str) else value
    except json.JSONDecodeError:
        return (LoaderNote("unparsed", str(value), None),)
    notes = []
    for item in items if isinstance(items, list) else [items]:
        if isinstance(item, dict):
            example = item.get("example")
            notes.append(
                LoaderNote(
                    str(item.get("rule") or "unknown"),
                    str(item.get("message") or ""),
                    None if example is None else str(example),
                )
            )
        else:
            notes.append(LoaderNote("unknown", str(item), None))
    return tuple(notes)


def _read_files(con, have: set[str]) -> dict[int, DeliveredFile]:
    files: dict[int, DeliveredFile] = {}
    for row in _dicts(
        con,
        """
        select file_id, file_name, source, business_date, file_hash, file_path, load_outcome,
            row_count, status, reasons, failed_checks, batch_id, loaded_at
        from quality.file_status
        order by source nulls last, business_date nulls last, file_name, file_id
        """,
    ):
        files[row["file_id"]] = DeliveredFile(
            file_id=row["file_id"],
            file_name=row["file_name"] or f"file {row['file_id']}",
            source=row["source"],
            business_date=row["business_date"],
            file_hash=row["file_hash"],
            file_path=row["file_path"],
            load_outcome=row["load_outcome"],
            row_count=int(row["row_count"] or 0),
            status=row["status"] or "rejected",
            reasons=tuple(r for r in row["reasons"] or () if r),
            failed_checks=tuple(c for c in row["failed_checks"] or () if c),
            batch_id=row["batch_id"],
            loaded_at=row["loaded_at"],
        )
    if "staging.delivered_files" in have:
        for row in _dicts(
            con,
            """
            select file_id, size_bytes, archived_to, load_seconds, reasons, warnings
            from staging.delivered_files
            """,
        ):
            found = files.get(row["file_id"])
            if found is not None:
                found.size_bytes = row["size_bytes"]
                found.archived_to = row["archived_to"]
                found.load_seconds = row["load_seconds"]
                found.loader_reasons = _notes(row["reasons"])
                found.loader_warnings = _notes(row["warnings"])
    return files


def _read_files_from_manifest(con, have: set[str]) -> dict[int, DeliveredFile]:
    """Without quality.file_status (dbt failed before it), the loader's manifest still names
    every delivered file: files it rejected are rejected; loaded ones are `not_judged`."""
    manifest = "staging.delivered_files" if "staging.delivered_files" in have else "raw._files"
    files: dict[int, DeliveredFile] = {}
    for row in _dicts(
        con,
        f"""
        select file_id, file_name, source, business_date, file_hash, file_path, outcome,
            row_count, batch_id, loaded_at, size_bytes, archived_to, load_seconds, reasons,
            warnings
        from {manifest}
        order by source nulls last, business_date nulls last, file_name, file_id
        """,
    ):
        loaded = row["outcome"] == "loaded"
        reasons = _notes(row["reasons"])
        files[row["file_id"]] = DeliveredFile(
            file_id=row["file_id"],
            file_name=row["file_name"] or f"file {row['file_id']}",
            source=row["source"],
            business_date=row["business_date"],
            file_hash=row["file_hash"],
            file_path=row["file_path"],
            load_outcome=row["outcome"],
            row_count=int(row["row_count"] or 0),
            status="not_judged" if loaded else "rejected",
            reasons=(
                ("loaded, not judged: the quality models were not built",)
                if loaded
                else tuple(n.message for n in reasons) or (f"loader outcome {row['outcome']}",)
            ),
            failed_checks=() if loaded else ("structure",),
            batch_id=row["batch_id"],
            loaded_at=row["loaded_at"],
            size_bytes=row["size_bytes"],
            archived_to=row["archived_to"],
            load_seconds=row["load_seconds"],
            loader_reasons=reasons,
            loader_warnings=_notes(row["warnings"]),
        )
    return files


def _read_checks(con, files: dict[int, DeliveredFile]) -> None:
    for row in _dicts(
        con,
        """
        select file_id, check_name, column_name, observed_value, threshold, numerator,
            denominator, passed, severity, message
        from quality.file_checks
        order by
            file_id,
            case check_name
                when 'structure' then 0
                when 'min_rows' then 1
                when 'max_quarantined_share' then 2
                when 'max_duplicate_share' then 3
                else 4
            end,
            check_name,
            column_name nulls first
        """,
    ):
        found = files.get(row.pop("file_id"))
        if found is not None:
            row["numerator"] = None if row["numerator"] is None else int(row["numerator"])
            row["passed"] = bool(row["passed"])
            found.checks.append(FileCheck(**row))


def _read_rule_breaks(con, files: dict[int, DeliveredFile], have: set[str]) -> None:
    """Per file and rule: rows breaking it, and up to five of them as examples.

    Error-rule examples carry the row as staged (quality.quarantine.record); warnings carry
    the row number and key only (warned rows are not quarantined).
    """
    examples: dict[tuple[int, str], list[dict[str, Any]]] = defaultdict(list)
    with_records = "quality.quarantine" in have
    record_sql = "quarantine.record" if with_records else "cast(null as varchar)"
    join_sql = (
        """
        left join quality.quarantine as quarantine
            on ranked.file_id = quarantine.file_id
            and ranked.file_row_number = quarantine.file_row_number
        """
        if with_records
        else ""
    )
    for row in _dicts(
        con,
        f"""
        with distinct_breaks as (
            select distinct file_id, rule_name, file_row_number, record_key
            from quality.row_breaks
        ),
        ranked as (
            select
                *,
                row_number() over (
                    partition by file_id, rule_name order by file_row_number
                ) as example_number
            from distinct_breaks
        )
        select
            ranked.file_id,
            ranked.rule_name,
            ranked.file_row_number,
            ranked.record_key,
            {record_sql} as record
        from ranked
        {join_sql}
        where ranked.example_number <= ?
        order by ranked.file_id, ranked.rule_name, ranked.file_row_number
        """,
        [EXAMPLES_PER_RULE],
    ):
        record = row["record"]
        if isinstance(record, str):
            try:
                record = json.loads(record)
            except json.JSONDecodeError:
                record = None
        examples[(row["file_id"], row["rule_name"])].append(
            {"row_number": row["file_row_number"], "key": row["record_key"], "record": record}
        )
    for row in _dicts(
        con,
        """
        select
            file_id,
            rule_name,
            any_value(column_name) as column_name,
            any_value(severity) as severity,
            any_value(message) as message,
            count(distinct file_row_number) as rows
        from quality.row_breaks
        group by file_id, rule_name
        order by file_id, rows desc, rule_name
        """,
    ):
        found = files.get(row["file_id"])
        if found is None:
            continue
        breaks = RuleBreaks(
            rule_name=row["rule_name"],
            column_name=row["column_name"],
            severity=row["severity"],
            message=row["message"] or "",
            rows=int(row["rows"]),
            examples=tuple(examples.get((row["file_id"], row["rule_name"]), ())),
        )
        (found.errors if breaks.severity == "error" else found.warnings).append(breaks)
    if with_records:
        for file_id, rows in con.execute(
            """
            select file_id, count(*) from quality.quarantine
            group by file_id
            """
        ).fetchall():
            if file_id in files:
                files[file_id].quarantined_rows = int(rows)


def _read_completeness(con, files: dict[int, DeliveredFile], have, schemas: DataSchemas) -> None:
    """Share of rows with a value, per file and contract column, as delivered (raw schema)."""
    for source, schema in schemas.sources.items():
        if f"raw.{source}" not in have:
            continue
        columns = schema.column_names  # validated lower-case names: safe to quote as identifiers
        filled = ", ".join(
            f'count(nullif(trim(cast("{col}" as varchar)), \'\')) as "{col}"' for col in columns
        )
        for row in _dicts(
            con,
            f'select _file_id, count(*) as "__rows", {filled} from raw.{source} group by _file_id',
        ):
            found = files.get(row["_file_id"])
            if found is not None:
                total = int(row["__rows"])
                found.completeness = {col: (int(row[col]), total) for col in columns}


def _read_anomalies(con) -> list[Anomaly]:
    rows = _dicts(
        con,
        """
        select metric, source, day, value, denominator, baseline, z_score, lower_bound,
            upper_bound, relative_change, history_days, status, baseline_description, is_anomaly
        from quality.anomalies
        order by metric, source, day
        """,
    )
    return [
        Anomaly(
            **{
                **r,
                "history_days": int(r["history_days"] or 0),
                "is_anomaly": bool(r["is_anomaly"]),
            }
        )
        for r in rows
    ]


def _read_freshness(con) -> list[Freshness]:
    rows = _dicts(
        con,
        """
        select source, last_loaded_at, last_business_date, hours_since_last_load,
            warn_after_hours, error_after_hours, freshness_status as status
        from quality.source_freshness
        order by source
        """,
    )
    return [Freshness(**r) for r in rows]


def read_quality(con: duckdb.DuckDBPyConnection, schemas: DataSchemas) -> QualitySnapshot:
    """Everything the reports need from the warehouse's quality side."""
    have = existing_relations(con)
    missing = [
        name
        for name in (
            "quality.file_status",
            "quality.file_checks",
            "quality.row_breaks",
            "quality.quarantine",
            "quality.anomalies",
            "quality.source_freshness",
        )
        if name not in have
    ]
    for name in missing:
        log.warning("%s is missing from the warehouse: its part of the report is empty", name)
    files: dict[int, DeliveredFile] = {}
    files_from = "quality.file_status"
    if "quality.file_status" in have:
        files = _read_files(con, have)
    elif have & {"staging.delivered_files", "raw._files"}:
        files = _read_files_from_manifest(con, have)
        files_from = (
            "staging.delivered_files" if "staging.delivered_files" in have else "raw._files"
        )
    if "quality.file_checks" in have:
        _read_checks(con, files)
    if "quality.row_breaks" in have:
        _read_rule_breaks(con, files, have)
    _read_completeness(con, files, have, schemas)
    return QualitySnapshot(
        files=list(files.values()),
        anomalies=_read_anomalies(con) if "quality.anomalies" in have else [],
        freshness=_read_freshness(con) if "quality.source_freshness" in have else [],
        missing=missing,
        files_from=files_from,
    )
