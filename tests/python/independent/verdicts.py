"""Which files are rejected and which rows are clean, judged independently of the pipeline.

A file is rejected (contract, "Types" section) when it cannot be read or parsed, lacks a required
column, has no rows, or when its share of quarantined rows, its duplicate share or a column's
completeness passes the limits of `config/quality_thresholds.yaml` (read here with PyYAML;
`files.defaults`, overridden key by key by `files.sources.<source>`). A limit is passed when the
quarantined or duplicate share is above its maximum, or a completeness below its minimum.

Clean rows, the input of every mart: rows of validated files that break no error rule and do not
repeat an earlier row's key in the same file.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from .contract import Judgement, judge
from .raw_reader import SOURCES, ParsedFile, RawFile, discover, loadable_and_repeated, parse

# A row repeats an earlier one in the same file when these values repeat (the entity, and for
# sources that deliver versions, the version's time).
FILE_UNIQUE_KEY = {
    "users": ("user_id", "updated_at"),
    "products": ("product_id",),
    "sessions": ("session_id",),
    "orders": ("order_id", "updated_at"),
    "api_logs": ("request_id",),
}


@dataclass
class Row:
    """A delivered row with its lineage and judgement."""

    file: RawFile
    row_number: int
    judgement: Judgement
    is_duplicate_in_file: bool = False

    @property
    def values(self) -> dict[str, Any]:
        return self.judgement.values


@dataclass
class FileVerdict:
    file: RawFile
    source: str | None
    status: str  # validated | rejected
    reasons: list[str] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    quarantined_share: float = 0.0
    duplicate_share: float = 0.0
    completeness: dict[str, float] = field(default_factory=dict)


@dataclass
class FileLimits:
    min_rows: int
    max_quarantined_share: float
    max_duplicate_share: float
    min_completeness: dict[str, float]


def file_limits(thresholds_yaml: Path) -> dict[str, FileLimits]:
    """Per source file limits: the defaults, overridden key by key by the source's entry."""
    document = yaml.safe_load(thresholds_yaml.read_text(encoding="utf-8"))
    files = document["files"]
    limits = {}
    for source in SOURCES:
        merged = {**files.get("defaults", {}), **(files.get("sources", {}).get(source) or {})}
        limits[source] = FileLimits(
            min_rows=int(merged.get("min_rows", 1)),
            max_quarantined_share=float(merged["max_quarantined_share"]),
            max_duplicate_share=float(merged["max_duplicate_share"]),
            min_completeness={
                k: float(v) for k, v in (merged.get("min_completeness") or {}).items()
            },
        )
    return limits


@dataclass
class Verdicts:
    """Everything judged about one data root's raw folder."""

    files: list[RawFile]  # every file found
    verdicts: list[FileVerdict]  # every file found: unknown, badly named and repeats rejected
    clean: dict[str, list[Row]]  # clean rows per source
    user_signup: dict[str, datetime]  # from the winning clean user version

    def verdict_at(self, relative_path: str) -> FileVerdict:
        """The verdict of the file at this path (relative to the raw folder)."""
        (found,) = [v for v in self.verdicts if v.file.relative_path == relative_path]
        return found

    def row_at(self, relative_path: str, row_number: int) -> Row:
        """A delivered row by file and 1-based data row number."""
        rows = self.verdict_at(relative_path).rows
        (found,) = [row for row in rows if row.row_number == row_number]
        return found


def _key_part(value: Any) -> Any:
    return value if not isinstance(value, Decimal) else value.normalize()


def _mark_duplicates(source: str, rows: list[Row]) -> None:
    seen: set[tuple[Any, ...]] = set()
    for row in rows:
        key_columns = FILE_UNIQUE_KEY[source]
        # Typed values when valid (the same instant written two ways is the same key), else text.
        key = tuple(
            _key_part(row.values.get(column))
            if row.values.get(column) is not None
            else row.judgement.row.get(column)
            for column in key_columns
        )
        if any(part is None for part in key):
            continue
        if key in seen:
            row.is_duplicate_in_file = True
        seen.add(key)


def _judge_file(parsed: ParsedFile, limits: FileLimits, rows: list[Row]) -> FileVerdict:
    source = parsed.source
    verdict = FileVerdict(file=parsed.file, source=source, status="validated", rows=rows)
    if parsed.failure:
        verdict.status, verdict.reasons = "rejected", [parsed.failure]
        return verdict
    total = len(rows)
    if total < limits.min_rows:
        verdict.status, verdict.reasons = "rejected", ["file_empty"]
        return verdict
    verdict.quarantined_share = sum(1 for r in rows if r.judgement.errors) / total
    verdict.duplicate_share = sum(1 for r in rows if r.is_duplicate_in_file) / total
    if verdict.quarantined_share > limits.max_quarantined_share:
        verdict.reasons.append("quarantined_share")
    if verdict.duplicate_share > limits.max_duplicate_share:
        verdict.reasons.append("duplicate_share")
    for column, minimum in limits.min_completeness.items():
        share = sum(1 for r in rows if r.judgement.row.get(column) is not None) / total
        verdict.completeness[column] = share
        if share < minimum:
            verdict.reasons.append(f"completeness:{column}")
    if verdict.reasons:
        verdict.status = "rejected"
    return verdict


def _clean(verdicts: Iterable[FileVerdict]) -> list[Row]:
    return [
        row
        for verdict in verdicts
        if verdict.status == "validated"
        for row in verdict.rows
        if not row.judgement.errors and not row.is_duplicate_in_file
    ]


def judge_raw_folder(raw_dir: Path, thresholds_yaml: Path, now: datetime) -> Verdicts:
    """Parse every delivered file, judge every row and file, and keep the clean rows.

    `now` is the moment the files were loaded (an order placed after it is in the future).
    """
    files = discover(raw_dir)
    limits = file_limits(thresholds_yaml)
    loadable, repeated = loadable_and_repeated(files)
    parsed_files = [parse(raw) for raw in loadable]
    rows_of: dict[int, list[Row]] = {}
    for index, parsed in enumerate(parsed_files):
        rows = [
            Row(parsed.file, number, judge(parsed.source, row, now))
            for number, row in enumerate(parsed.rows, start=1)
        ]
        _mark_duplicates(parsed.source, rows)
        rows_of[index] = rows

    def judge_source(source: str) -> list[FileVerdict]:
        return [
            _judge_file(parsed, limits[source], rows_of[index])
            for index, parsed in enumerate(parsed_files)
            if parsed.source == source
        ]

    verdicts: dict[str, list[FileVerdict]] = {}
    for source in ("users", "products", "sessions", "api_logs"):
        verdicts[source] = judge_source(source)
    clean = {source: _clean(verdicts[source]) for source in verdicts}
    user_signup = {
        user_id: row.values["signup_at"] for user_id, row in winning_users(clean["users"]).items()
    }
    # Cross-source error rule: an order is not placed before its user's signup.
    for index, parsed in enumerate(parsed_files):
        if parsed.source != "orders":
            continue
        for row in rows_of[index]:
            signup = user_signup.get(row.values.get("user_id"))
            ordered_at = row.values.get("ordered_at")
            if signup is not None and ordered_at is not None and ordered_at < signup:
                row.judgement.errors.add("orders_not_before_signup")
    verdicts["orders"] = judge_source("orders")
    clean["orders"] = _clean(verdicts["orders"])
    every = [v for source in SOURCES for v in verdicts[source]]
    # Not loaded at all: a name no source starts with, a known source's malformed name, and the
    # same bytes delivered again.
    for raw in files:
        if raw.source is None:
            every.append(FileVerdict(raw, None, "rejected", ["unknown_source"]))
        elif not raw.name_ok:
            every.append(FileVerdict(raw, raw.source, "rejected", ["invalid_file_name"]))
    every += [FileVerdict(raw, raw.source, "rejected", ["duplicate_file"]) for raw in repeated]
    return Verdicts(files=files, verdicts=every, clean=clean, user_signup=user_signup)


def winning_users(rows: list[Row]) -> dict[str, Row]:
    """The winning version per user: latest updated_at, ties to the later file."""
    return latest_versions(rows, "user_id")


def latest_versions(rows: list[Row], key: str) -> dict[str, Row]:
    """Per key, the row with the latest updated_at; a tie goes to the later business date, then
    the later file name (then, within a file, the first row: later repeats are duplicates)."""
    best: dict[str, tuple[Any, Row]] = {}
    for row in rows:
        rank = (row.values["updated_at"], row.file.business_date, row.file.file_name)
        current = best.get(row.values[key])
        if current is None or rank > current[0]:
            best[row.values[key]] = (rank, row)
    return {k: row for k, (_, row) in best.items()}


def latest_deliveries(rows: list[Row], key: str) -> dict[str, Row]:
    """Per key, the row of the latest delivery: later business date, then later file name."""
    best: dict[str, tuple[Any, Row]] = {}
    for row in rows:
        rank = (row.file.business_date, row.file.file_name)
        current = best.get(row.values[key])
        if current is None or rank > current[0]:
            best[row.values[key]] = (rank, row)
    return {k: row for k, (_, row) in best.items()}
