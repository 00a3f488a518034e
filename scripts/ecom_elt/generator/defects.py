"""Planting defects: every way a delivery can break the contract, each written down in the
manifest with where it is and what the pipeline should do about it.

Three stages. Before the files are written, delivery quirks are set on a few file specs (an extra
column, a missing optional column, sessions delivered again the next day). After they are
written, single rows are broken in place (one rule each, few enough per file that the file stays
under the quarantine limit) and rows are duplicated; then extra files are added that break the
contract as a whole (missing column, unparseable, empty, not UTF-8, wrong shape, unknown name,
the same bytes again, too many bad rows, too incomplete).

Defects that change a day's row count go only on weekdays without a planted anomaly, so they
never disturb the baseline the anomaly detector needs to catch it. Rows that another source
points at (sessions with orders, users with orders) are never broken, so a planted row defect
causes no unplanned orphan warning elsewhere.
"""

from __future__ import annotations

import logging
import math
from dataclasses import replace
from datetime import UTC
from pathlib import Path
from typing import Any

import duckdb

from ecom_elt.config import Rule, load_business_rules
from ecom_elt.generator import api_logs, orders, products, sessions, users
from ecom_elt.generator.file_edit import FileEditor
from ecom_elt.generator.manifest import DefectRecord, FileRecord, GeneratorManifest
from ecom_elt.generator.mutations import MUTATIONS, Row, break_rule
from ecom_elt.generator.plan import (
    FIRST_ANOMALY_INDEX,
    LAST_DAYS_FREE,
    FileSpec,
    Plan,
    with_files,
)
from ecom_elt.generator.randomness import execute, prng
from ecom_elt.generator.rows import RowQuery
from ecom_elt.generator.writer import FileWriter, WrittenFile, sha256_of, store_bytes

log = logging.getLogger("ecom_elt.generate")

MODULES = {
    "users": users,
    "products": products,
    "sessions": sessions,
    "orders": orders,
    "api_logs": api_logs,
}
# How many of each planted defect: row rules are broken `REPEAT` times each, every other kind
# `COPIES` times.
REPEAT = {"none": 0, "default": 1, "heavy": 3}
COPIES = {"none": 0, "default": 1, "heavy": 2}
# Per file: error rows stay under max_quarantined_share (0.05), duplicates under
# max_duplicate_share (0.02).
ERROR_SHARE_PER_FILE = 0.04
MAX_ERRORS_PER_FILE = 6
WARNINGS_PER_FILE = 2
MIN_ROWS_FOR_ROW_DEFECT = 25
DUPLICATE_SHARE = 0.01
MIN_ROWS_FOR_DUPLICATES = 100
OVER_LIMIT_SHARE = 0.12
INCOMPLETE_SHARE = 0.2
# Which files carry the rules of each rule target.
RULE_FILES = {
    "users": "users",
    "products": "products",
    "sessions": "sessions",
    "orders": "orders",
    "order_items": "orders",
    "api_logs": "api_logs",
}
# Rows that no other source points at, per source (SQL over the source's table).
SAFE_ROWS = {
    "users": "uid not in (select uid from orders)",
    "sessions": sessions.UNREFERENCED,
}
# Sources whose daily volume the anomaly detector watches closely.
VOLUME_SOURCES = {"sessions", "orders", "api_logs"}


class Planter:
    """Plants the defects of one run and records them."""

    def __init__(self, plan: Plan, root: Path) -> None:
        self.plan = plan
        self.options = plan.options
        self.seed = plan.options.seed
        self.level = plan.options.defects
        self.root = root
        self.taken: set[tuple[str, int]] = set()
        self.touched: set[str] = set()
        self.serial = 0
        self.defects: list[DefectRecord] = []
        self.skipped: list[dict[str, Any]] = []
        self.records: dict[str, FileRecord] = {}
        self.written: list[WrittenFile] = []
        self.writer: FileWriter | None = None

    # ------------------------------------------------------------------ days and files

    def _anomaly_days(self) -> set[int]:
        return {a.day_index for a in self.plan.anomalies}

    def _candidate_days(self, purpose: str) -> list[int]:
        quiet = self.plan.quiet_weekdays
        anomalies = self._anomaly_days()
        days = [
            d.index
            for d in self.plan.days
            if d.index >= 1 and d.weekday in quiet and d.index not in anomalies
        ]
        return sorted(days, key=lambda i: prng(self.seed, "defect-day", purpose, i))

    def _take_day(self, source: str, purpose: str) -> int | None:
        for day in self._candidate_days(purpose):
            if (source, day) not in self.taken:
                self.taken.add((source, day))
                return day
        self._skip(purpose, source, "no free quiet day")
        return None

    def _skip(self, what: str, source: str | None, reason: str) -> None:
        log.debug("defect %s (%s) not planted: %s", what, source, reason)
        self.skipped.append({"defect": what, "source": source, "reason": reason})

    def _is_quiet(self, spec: FileSpec) -> bool:
        if spec.source not in VOLUME_SOURCES:
            return True
        return spec.day_index not in self._anomaly_days() and (
            self.plan.days[spec.day_index].weekday in self.plan.quiet_weekdays
        )

    @staticmethod
    def _has_quirk(spec: FileSpec) -> bool:
        return bool(spec.extra_column or spec.dropped_column or spec.redelivered)

    def _path(self, written: WrittenFile) -> str:
        return written.path.relative_to(self.root).as_posix()

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        assert self.writer is not None
        return self.writer.cursor()

    # ------------------------------------------------------------------ stage 1: quirks

    def plan_delivery_quirks(self) -> Plan:
        """Set the delivery quirks on file specs before they are written."""
        if self.level == "none":
            return self.plan
        quirks: dict[tuple[str, int], dict[str, Any]] = {}
        for _ in range(COPIES[self.level]):
            for source, purpose, change in (
                ("sessions", "extra_column", {"extra_column": "referrer"}),
                ("users", "optional_column_missing", {"dropped_column": "city"}),
                ("sessions", "duplicate_delivery", {"redelivered": 2}),
            ):
                day = self._take_day(source, purpose)
                if day is not None:
                    quirks[(source, day)] = change
        files = tuple(
            replace(spec, **quirks[(spec.source, spec.day_index)])
            if (spec.source, spec.day_index) in quirks
            else spec
            for spec in self.plan.files
        )
        self.plan = with_files(self.plan, files)
        return self.plan

    # ------------------------------------------------------------------ stage 2 and 3

    def plant(
        self, writer: FileWriter, written: list[WrittenFile], manifest: GeneratorManifest
    ) -> None:
        """Break rows, duplicate rows, add broken files; fill the manifest's defect list."""
        if self.level == "none":
            return
        log.info("planting %s defects", self.level)
        self.writer = writer
        self.written = written
        self.records = {record.path: record for record in manifest.files}
        self._record_quirks()
        # Duplicates and the re-sent file first: they need files no other defect touched.
        self._duplicate_rows()
        for _ in range(COPIES[self.level]):
            self._same_bytes_again()
        self._break_rows()
        self._add_broken_files()
        self._record_anomalies()
        manifest.files = list(self.records.values())
        manifest.defects = self.defects
        manifest.skipped = self.skipped
        log.info("planted %d defects", len(self.defects))
        if self.skipped:
            reasons = sorted({s["reason"] for s in self.skipped})
            log.warning(
                "%d defects could not be planted (%s); a larger --scale or --days has room "
                "for them; the manifest lists them under skipped_defects",
                len(self.skipped),
                "; ".join(reasons[:3]) + ("; ..." if len(reasons) > 3 else ""),
            )

    def _defect(self, written: WrittenFile | None, **fields: Any) -> DefectRecord:
        if written is not None:
            fields.setdefault("file", written.path.name)
            fields.setdefault("path", self._path(written))
            fields.setdefault("business_date", written.spec.business_date.isoformat())
            fields.setdefault("source", written.spec.source)
        record = DefectRecord(**fields)
        self.defects.append(record)
        return record

    def _numbered(
        self, spec: FileSpec, extra: str = "", where: str = "true", limit: int = 1_000_000
    ) -> list[tuple[Any, ...]]:
        rows = MODULES[spec.source].rows(spec, self.plan)
        sql = (
            f"select row_no, row_key from ({rows.numbered_sql(extra)}) where {where} "
            "order by mix(150, row_no) limit $defect_limit"
        )
        return execute(self._cursor(), sql, {**rows.params, "defect_limit": limit}).fetchall()

    def _save(self, written: WrittenFile, editor: FileEditor) -> None:
        size, digest = editor.save()
        path = self._path(written)
        if path in self.records:
            self.records[path] = replace(
                self.records[path], rows=len(editor), bytes=size, sha256=digest
            )
        self.touched.add(path)

    def _record_quirks(self) -> None:
        for written in self.written:
            spec = written.spec
            if spec.extra_column:
                self._defect(
                    written,
                    kind="extra_column",
                    expected="warning",
                    rule="extra_column",
                    column=spec.extra_column,
                    note="a column the contract does not name: ignored, reported as a warning",
                )
            if spec.dropped_column:
                self._defect(
                    written,
                    kind="optional_column_missing",
                    expected="warning",
                    rule="optional_column_missing",
                    column=spec.dropped_column,
                    note="an optional column is absent: its values are null",
                )
            if spec.redelivered:
                self.touched.add(self._path(written))
                for row_no, key in self._numbered(
                    spec, extra="d <> $day as _earlier", where="_earlier"
                ):
                    self._defect(
                        written,
                        kind="duplicate_delivery",
                        expected="deduplicated",
                        rule="duplicate_delivery",
                        row=row_no,
                        key=key,
                        note="the session was already delivered in the previous day's file",
                    )

    # ------------------------------------------------------------------ row rules

    def _rules(self) -> list[Rule]:
        rules = [r for r in load_business_rules().rules if r.severity in ("error", "warn")]
        missing = [r.name for r in rules if r.name not in MUTATIONS]
        for name in missing:
            self._skip(name, None, "the generator does not know how to break this rule")
        return [r for r in rules if r.name in MUTATIONS]

    def _break_rows(self) -> None:
        rules = self._rules()
        for source in MODULES:
            # Copy by copy, so the repeats of one rule land in different files.
            instances = [
                rule
                for _copy in range(REPEAT[self.level])
                for rule in rules
                if RULE_FILES[rule.source] == source
            ]
            if instances:
                self._break_rows_of(source, instances)

    def _break_rows_of(self, source: str, instances: list[Rule]) -> None:
        candidates = sorted(
            (
                w
                for w in self.written
                if w.spec.source == source
                and self._path(w) not in self.touched
                and not self._has_quirk(w.spec)
                and self._is_quiet(w.spec)
                and w.rows >= MIN_ROWS_FOR_ROW_DEFECT
            ),
            # Small files first, a few defects each: a planted row rewrites its whole file.
            key=lambda w: (w.rows, prng(self.seed, "defect-file", w.spec.relative_path)),
        )
        assigned: dict[str, list[Rule]] = {}
        pending = list(instances)
        # A few per file first; when few files are large enough, up to the share limit.
        for cap in (MAX_ERRORS_PER_FILE, None):
            room = {
                self._path(w): [
                    min(cap or w.rows, math.floor(w.rows * ERROR_SHARE_PER_FILE))
                    - sum(r.severity == "error" for r in assigned.get(self._path(w), [])),
                    WARNINGS_PER_FILE
                    - sum(r.severity != "error" for r in assigned.get(self._path(w), [])),
                ]
                for w in candidates
            }
            left = []
            for rule in pending:
                slot = 0 if rule.severity == "error" else 1
                for written in candidates:
                    path = self._path(written)
                    if room[path][slot] > 0 and rule not in assigned.get(path, []):
                        room[path][slot] -= 1
                        assigned.setdefault(path, []).append(rule)
                        break
                else:
                    left.append(rule)
            pending = left
        for rule in pending:
            self._skip(rule.name, rule.source, "no file has room for another bad row")
        by_path = {self._path(w): w for w in candidates}
        for path, rules in assigned.items():
            self._break_rows_in(by_path[path], rules)

    def _facts_sql(self, source: str) -> str:
        safe = SAFE_ROWS.get(source, "true")
        if source == "orders":
            return (
                f"({safe}) as _safe, (select min(uv.signup_at) from user_versions as uv "
                "where uv.uid = order_rows.uid) as _signup_at"
            )
        return f"({safe}) as _safe"

    def _break_rows_in(
        self, written: WrittenFile, rules: list[Rule], expected: str | None = None
    ) -> None:
        spec = written.spec
        rows = MODULES[spec.source].rows(spec, self.plan)
        sql = (
            f"select row_no, row_key, * exclude (row_no, row_key) from "
            f"({rows.numbered_sql(self._facts_sql(spec.source))}) "
            "where _safe and row_no <= $last_row "
            "order by mix(151, row_no) limit $defect_limit"
        )
        result = execute(
            self._cursor(),
            sql,
            {**rows.params, "defect_limit": len(rules), "last_row": written.rows},
        )
        names = [d[0] for d in result.description]
        picked = [dict(zip(names, values, strict=True)) for values in result.fetchall()]
        editor = FileEditor(written.path, spec.format)
        for rule, found in zip(rules, picked, strict=False):
            self._break_one(written, editor, rule, found, expected)
        for rule in rules[len(picked) :]:
            self._skip(rule.name, rule.source, f"not enough safe rows in {spec.name}")
        self._save(written, editor)

    def _break_one(
        self,
        written: WrittenFile,
        editor: FileEditor,
        rule: Rule,
        found: dict[str, Any],
        expected: str | None,
    ) -> None:
        self.serial += 1
        facts = {}
        if found.get("_signup_at") is not None:
            facts["signup_at"] = found["_signup_at"].replace(tzinfo=UTC)
        row_no = int(found["row_no"])
        row = Row(editor.get(row_no), written.spec.format != "csv", self.serial, facts)
        column, value, values = break_rule(rule.name, row)
        editor.set(row_no, values)
        kind = "orphan" if rule.check == "relationship" else "row_rule_break"
        outcome = expected or ("row_quarantined" if rule.severity == "error" else "warning")
        self._defect(
            written,
            kind=kind,
            expected=outcome,
            source=rule.source,
            rule=rule.name,
            row=row_no,
            key=found["row_key"],
            column=column,
            value=value,
        )

    # ------------------------------------------------------------------ duplicates

    def _duplicate_rows(self) -> None:
        for source in ("sessions", "api_logs", "orders"):
            candidates = sorted(
                (
                    w
                    for w in self.written
                    if w.spec.source == source
                    and self._path(w) not in self.touched
                    and not self._has_quirk(w.spec)
                    and self._is_quiet(w.spec)
                    and w.rows >= MIN_ROWS_FOR_DUPLICATES
                ),
                key=lambda w: (w.rows, prng(self.seed, "duplicate-file", w.spec.relative_path)),
            )
            if not candidates:
                self._skip("duplicate_in_file", source, "no file is large enough")
                continue
            for written in candidates[: COPIES[self.level]]:
                self._duplicate_in(written)

    def _duplicate_in(self, written: WrittenFile) -> None:
        count = max(1, min(3, math.floor(written.rows * DUPLICATE_SHARE)))
        extra = SAFE_ROWS.get(written.spec.source, "true")
        picked = sorted(
            self._numbered(written.spec, extra=f"({extra}) as _safe", where="_safe", limit=count)
        )
        editor = FileEditor(written.path, written.spec.format)
        for shift, (row_no, key) in enumerate(picked):
            copy_row = editor.duplicate(row_no + shift)
            self._defect(
                written,
                kind="duplicate_row",
                expected="deduplicated",
                rule="duplicate_in_file",
                row=copy_row,
                key=key,
                note=f"an exact copy of row {row_no + shift}",
            )
        self._save(written, editor)

    # ------------------------------------------------------------------ broken files

    def _add_broken_files(self) -> None:
        for _ in range(COPIES[self.level]):
            self._missing_required_column()
            self._unparseable_lines()
            self._truncated_array()
            self._zero_bytes()
            self._header_only()
            self._not_utf8()
            self._wrong_shape()
            self._unknown_source()
            self._invalid_name()
            self._too_many_bad_rows()
            self._too_incomplete()

    def _day_rows(self, source: str, day: int) -> int:
        return sum(
            w.rows for w in self.written if w.spec.source == source and w.spec.day_index == day
        )

    def _broken_spec(self, source: str, purpose: str, suffix: str = "part2") -> FileSpec | None:
        day = self._take_day(source, purpose)
        if day is None:
            return None
        base = next(s for s in self.plan.files if s.source == source and s.day_index == day)
        return replace(
            base,
            suffix=suffix,
            hour=None,
            gzip=False,
            bom=False,
            role="defect",
            extra_column=None,
            dropped_column=None,
            redelivered=0,
        )

    def _write_rows(self, spec: FileSpec, limit: int, rows: RowQuery | None = None) -> WrittenFile:
        assert self.writer is not None
        rows = rows or MODULES[spec.source].rows(spec, self.plan)
        target = self.writer.raw / spec.relative_path
        count = self.writer.copy(
            rows.file_sql() + " limit $extra_rows",
            {**rows.params, "extra_rows": limit},
            target,
            spec.format,
        )
        return WrittenFile(spec, target, count, target.stat().st_size, "")

    def _register(self, written: WrittenFile, rows: int, known: bool = True) -> None:
        """List an extra (defect) file in the manifest; `known`: its name names a source."""
        spec = written.spec
        record = FileRecord(
            name=written.path.name,
            path=self._path(written),
            source=spec.source if known else None,
            business_date=spec.business_date.isoformat() if known else None,
            format=spec.format,
            compressed=written.path.name.endswith(".gz"),
            rows=rows,
            bytes=written.path.stat().st_size,
            sha256=sha256_of(written.path),
            role="defect",
        )
        self.records[record.path] = record

    def _rejected(self, written: WrittenFile, rule: str, note: str, **fields: Any) -> None:
        self._defect(written, kind=rule, expected="file_rejected", rule=rule, note=note, **fields)

    def _extra_rows(self, source: str, day: int) -> int:
        return min(60, max(MIN_ROWS_FOR_ROW_DEFECT, round(0.05 * self._day_rows(source, day))))

    def _missing_required_column(self) -> None:
        spec = self._broken_spec("sessions", "required_column_missing", "part3")
        if spec is None:
            return
        rows = MODULES["sessions"].rows(spec, self.plan)
        rows = replace(
            rows, expressions={k: v for k, v in rows.expressions.items() if k != "started_at"}
        )
        written = self._write_rows(spec, 20, rows)
        self._register(written, written.rows)
        self._rejected(
            written,
            "required_column_missing",
            "the required column started_at is missing",
            column="started_at",
        )

    def _unparseable_lines(self) -> None:
        spec = self._broken_spec("orders", "file_unparseable")
        if spec is None:
            return
        written = self._write_rows(spec, 20)
        editor = FileEditor(written.path, spec.format)
        line = max(1, math.ceil(len(editor) / 2))
        editor.lines[line - 1] = editor.lines[line - 1][: len(editor.lines[line - 1]) // 2]
        editor.save()
        self._register(written, len(editor))
        self._rejected(
            written, "file_unparseable", "a JSON line is cut off in the middle", row=line
        )

    def _truncated_array(self) -> None:
        spec = self._broken_spec("products", "file_unparseable_array")
        if spec is None:
            return
        written = self._write_rows(spec, 20)
        data = written.path.read_bytes()
        store_bytes(written.path, data[: int(len(data) * 0.6)], False)
        self._register(written, written.rows)
        self._rejected(written, "file_unparseable", "the JSON array is truncated")

    def _zero_bytes(self) -> None:
        spec = self._broken_spec("api_logs", "file_empty")
        if spec is None or self.writer is None:
            return
        target = self.writer.raw / spec.relative_path
        store_bytes(target, b"", False)
        written = WrittenFile(spec, target, 0, 0, "")
        self._register(written, 0)
        self._rejected(written, "file_empty", "the file has zero bytes")

    def _header_only(self) -> None:
        spec = self._broken_spec("users", "file_empty_header")
        if spec is None:
            return
        written = self._write_rows(spec, 0)
        self._register(written, 0)
        self._rejected(written, "file_empty", "a CSV header and no rows")

    def _not_utf8(self) -> None:
        spec = self._broken_spec("users", "file_not_utf8", "part3")
        if spec is None:
            return
        # Rows of the first day's backfill, where accented names are sure to be found.
        rows = MODULES["users"].rows(replace(spec, day_index=0), self.plan)
        accented = replace(
            rows,
            source_sql=rows.source_sql
            + f" and regexp_matches({users.LABELS['last_name']}, '[À-ÿ]')",
        )
        written = self._write_rows(spec, 10, accented)
        text = written.path.read_text(encoding="utf-8")
        store_bytes(written.path, text.encode("cp1252", errors="replace"), False)
        self._register(written, written.rows)
        self._rejected(written, "file_not_utf8", "the file is encoded in Windows-1252, not UTF-8")

    def _wrong_shape(self) -> None:
        spec = self._broken_spec("products", "file_wrong_shape", "part3")
        if spec is None or self.writer is None:
            return
        rows = MODULES["products"].rows(spec, self.plan)
        target = self.writer.raw / spec.relative_path
        self.writer.copy(
            f"select list(t order by t.product_id) as products from ({rows.file_sql()} limit 5) t",
            rows.params,
            target,
            "json_lines",
        )
        written = WrittenFile(spec, target, 1, target.stat().st_size, "")
        self._register(written, 1)
        self._rejected(
            written, "file_wrong_shape", "a JSON object holding the array, not the array itself"
        )

    def _unknown_source(self) -> None:
        day = self._take_day("returns", "unknown_source")
        if day is None or self.writer is None:
            return
        plan_day = self.plan.days[day]
        spec = FileSpec(
            source="orders",
            day_index=day,
            business_date=plan_day.day,
            folder="",
            gzip=False,
            style=self.plan.files[0].style,
            role="defect",
        )
        name = f"returns_{plan_day.day.isoformat()}.csv"
        target = self.writer.raw / name
        self.writer.copy(
            "select order_key(oid) as order_id, 'damaged' as reason, 1 as quantity "
            "from order_rows where status = 'delivered' order by oid limit 10",
            {},
            target,
            "csv",
        )
        written = WrittenFile(spec, target, 10, target.stat().st_size, "")
        self._register(written, 10, known=False)
        self._defect(
            written,
            kind="unknown_source",
            expected="file_unknown",
            source=None,
            rule="unknown_source",
            note="a returns export: no such source in the contract",
        )

    def _invalid_name(self) -> None:
        spec = self._broken_spec("orders", "invalid_file_name", "x")
        if spec is None or self.writer is None:
            return
        rows = MODULES["orders"].rows(spec, self.plan)
        target = self.writer.raw / f"orders_{spec.business_date.strftime('%Y%m%d')}.jsonl"
        count = self.writer.copy(rows.file_sql() + " limit 10", rows.params, target, "json_lines")
        written = WrittenFile(spec, target, count, target.stat().st_size, "")
        self._register(written, count, known=False)
        self._defect(
            written,
            kind="invalid_file_name",
            expected="file_rejected",
            source=None,
            business_date=None,
            rule="invalid_file_name",
            note="the date in the name is not YYYY-MM-DD",
        )

    def _same_bytes_again(self) -> None:
        candidates = sorted(
            (
                w
                for w in self.written
                if w.spec.source == "orders"
                and self._path(w) not in self.touched
                and self._is_quiet(w.spec)
            ),
            key=lambda w: prng(self.seed, "resend", w.spec.relative_path),
        )
        if not candidates or self.writer is None:
            self._skip("duplicate_file", "orders", "no untouched orders file")
            return
        original = candidates[0]
        self.touched.add(self._path(original))
        spec = replace(original.spec, suffix="resend", folder="resend", role="defect")
        target = self.writer.raw / spec.relative_path
        store_bytes(target, original.path.read_bytes(), False)
        written = WrittenFile(spec, target, original.rows, target.stat().st_size, "")
        self._register(written, original.rows)
        self._defect(
            written,
            kind="duplicate_file",
            expected="deduplicated",
            rule="duplicate_file",
            note=f"the same bytes as {self._path(original)}",
        )

    def _too_many_bad_rows(self) -> None:
        spec = self._broken_spec("api_logs", "max_quarantined_share", "part3")
        if spec is None:
            return
        written = self._write_rows(spec, self._extra_rows("api_logs", spec.day_index))
        bad = math.ceil(written.rows * OVER_LIMIT_SHARE)
        rule = next(
            r for r in load_business_rules().rules if r.name == "api_logs_status_code_range"
        )
        self._break_rows_in(written, [rule] * bad, expected="file_rejected")
        self._register(written, written.rows)
        self._rejected(
            written,
            "max_quarantined_share",
            f"{bad} of {written.rows} rows break an error rule: above the file limit",
            value=round(bad / written.rows, 4),
        )

    def _too_incomplete(self) -> None:
        spec = self._broken_spec("sessions", "min_completeness")
        if spec is None:
            return
        written = self._write_rows(spec, self._extra_rows("sessions", spec.day_index))
        editor = FileEditor(written.path, spec.format)
        blank = math.ceil(len(editor) * INCOMPLETE_SHARE)
        for row in range(1, blank + 1):
            values = editor.get(row * len(editor) // blank)
            values["device_type"] = ""
            editor.set(row * len(editor) // blank, values)
        editor.save()
        self._register(written, len(editor))
        self._rejected(
            written,
            "min_completeness",
            f"device_type is empty in {blank} of {len(editor)} rows (limit 95 % filled)",
            column="device_type",
            value=round(1 - blank / len(editor), 4),
        )

    # ------------------------------------------------------------------ anomalies

    def _record_anomalies(self) -> None:
        wanted = 3 if self.level == "heavy" else 2
        if len(self.plan.anomalies) < wanted:
            self._skip(
                "anomaly",
                None,
                f"{wanted - len(self.plan.anomalies)} anomaly day(s) need days after the "
                f"detector's cold start: use --days {FIRST_ANOMALY_INDEX + LAST_DAYS_FREE + wanted}"
                " or more",
            )
        for anomaly in self.plan.anomalies:
            also = ", ".join(anomaly.also_affects)
            self._defect(
                None,
                kind="anomaly",
                expected="anomaly",
                source=anomaly.source,
                rule=anomaly.kind,
                metric=anomaly.metric,
                business_date=anomaly.day.isoformat(),
                value=anomaly.factor,
                note=f"also moves: {also}" if also else None,
            )
