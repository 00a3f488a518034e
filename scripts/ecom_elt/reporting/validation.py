"""One validation report per delivered file: `validation_report_<file>.json`.

Each report carries the evidence behind the file's verdict: every check with its observed value,
threshold and outcome, the completeness of every column as delivered, the rule breaks with up to
five example rows, and the warnings with their counts. Example rows come from the quarantine,
which keeps personal data; in these files, which travel further, personal values are masked
(letters become x, digits 9, punctuation kept), so a reader still sees why a value broke a
format rule but not whose it was.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ecom_elt.config import DataSchemas
from ecom_elt.reporting.quality import DeliveredFile, LoaderNote, RuleBreaks

REPORT_PREFIX = "validation_report_"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_EMAIL = re.compile(r"[^\s@,;\"']+@[^\s@,;\"']+")
_IPV4 = re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}\b")
_IPV6 = re.compile(r"(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])")
MAX_NAME = 150


def personal_columns(schemas: DataSchemas) -> frozenset[str]:
    """Columns the data contract marks personal (email, names, birth date, client IP)."""
    return frozenset(
        col.name for source in schemas.sources.values() for col in source.columns if col.personal
    )


def mask_value(value: Any) -> Any:
    """Hide a personal value but keep its shape: 'ann.lee@mail.com' -> 'xxx.xxx@xxxx.xxx'."""
    if value is None:
        return None
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return re.sub(r"\d", "9", re.sub(r"[^\W\d_]", "x", text))


# Lineage columns of a staged row: the report says them once, at the top, not in every example.
LINEAGE = frozenset(
    {
        "file_id",
        "file_name",
        "file_hash",
        "file_business_date",
        "file_row_number",
        "loaded_at",
        "batch_id",
    }
)


def mask_record(record: Any, personal: frozenset[str]) -> Any:
    """The row without its lineage columns, personal values masked."""
    if not isinstance(record, dict):
        return record
    return {
        k: (mask_value(v) if k in personal else v) for k, v in record.items() if k not in LINEAGE
    }


def scrub_text(text: str | None) -> str | None:
    """Mask what looks like an email or IP address in free text (the loader's raw examples)."""
    if text is None:
        return None
    text = _EMAIL.sub(lambda m: mask_value(m.group(0)), text)
    for pattern in (_IPV4, _IPV6):
        text = pattern.sub(_mask_address, text)
    return text


def _mask_address(match: re.Match[str]) -> str:
    try:
        ipaddress.ip_address(match.group(0))
    except ValueError:  # a time such as 08:00:00, or a version number
        return match.group(0)
    return mask_value(match.group(0))


def safe_file_name(name: str) -> str:
    """A delivered file's name as a safe part of a file name (no slashes, no dots alone)."""
    safe = _UNSAFE.sub("_", name).strip("._") or "unnamed"
    return safe[:MAX_NAME]


def report_names(files: Iterable[DeliveredFile]) -> dict[int, str]:
    """`validation_report_<file>.json` per file id; a name two deliveries share gets the id."""
    files = list(files)
    counts: dict[str, int] = {}
    for f in files:
        safe = safe_file_name(f.file_name)
        counts[safe] = counts.get(safe, 0) + 1
    names = {}
    for f in files:
        safe = safe_file_name(f.file_name)
        if counts[safe] > 1:
            safe = f"{safe}_id{f.file_id}"
        names[f.file_id] = f"{REPORT_PREFIX}{safe}.json"
    return names


def _number(value: float | None) -> float | None:
    return None if value is None else round(float(value), 6)


def _loader_note(note: LoaderNote, source: str | None, personal_sources: set[str]) -> dict:
    example = note.example
    if example is not None:
        if source in personal_sources:
            example = f"(withheld: {source} rows hold personal data; see the quarantined file)"
        else:
            example = scrub_text(example)
    return {"rule": note.rule, "message": scrub_text(note.message), "example": example}


def _rule_breaks(breaks: RuleBreaks, personal: frozenset[str], with_records: bool) -> dict:
    examples = []
    for example in breaks.examples:
        item = {"row_number": example["row_number"], "key": example["key"]}
        if with_records:
            item["record"] = mask_record(example.get("record"), personal)
        examples.append(item)
    return {
        "rule": breaks.rule_name,
        "column": breaks.column_name,
        "severity": breaks.severity,
        "message": breaks.message,
        "rows": breaks.rows,
        "examples": examples,
    }


def validation_report(f: DeliveredFile, schemas: DataSchemas) -> dict[str, Any]:
    """The JSON document for one delivered file."""
    personal = personal_columns(schemas)
    personal_sources = {
        name for name, s in schemas.sources.items() if any(c.personal for c in s.columns)
    }
    completeness = {
        column: {
            "filled_rows": filled,
            "rows": rows,
            "share": None if rows == 0 else round(filled / rows, 6),
        }
        for column, (filled, rows) in f.completeness.items()
    }
    return {
        "file": f.file_name,
        "file_id": f.file_id,
        "source": f.source,
        "file_hash": f.file_hash,
        "business_date": f.business_date.isoformat() if f.business_date else None,
        "path": f.file_path,
        "stored_at": f.archived_to,
        "size_bytes": f.size_bytes,
        "rows": f.row_count,
        "status": f.status,
        "load_outcome": f.load_outcome,
        "loaded_at": f.loaded_at.isoformat() if f.loaded_at else None,
        "batch_id": f.batch_id,
        "quarantined_rows": f.quarantined_rows,
        "reasons": [scrub_text(r) for r in f.reasons],
        "failed_checks": list(f.failed_checks),
        "checks": [
            {
                "check": c.check_name,
                "column": c.column_name,
                "observed_value": _number(c.observed_value),
                "threshold": _number(c.threshold),
                "numerator": c.numerator,
                "denominator": c.denominator,
                "passed": c.passed,
                "result": "pass" if c.passed else "fail",
                "severity": c.severity,
                "message": scrub_text(c.message),
            }
            for c in f.checks
        ],
        "completeness": completeness,
        "errors": {
            "loader": [_loader_note(n, f.source, personal_sources) for n in f.loader_reasons],
            "rules": [_rule_breaks(b, personal, with_records=True) for b in f.errors],
        },
        "warnings": {
            "loader": [_loader_note(n, f.source, personal_sources) for n in f.loader_warnings],
            "rules": [_rule_breaks(b, personal, with_records=False) for b in f.warnings],
        },
        "personal_data": "masked: " + ", ".join(sorted(personal)),
    }


def write_validation_reports(
    files: list[DeliveredFile], schemas: DataSchemas, folder: Path
) -> dict[int, Path]:
    """Write one report per file; remove reports of earlier runs no file maps to any more."""
    folder.mkdir(parents=True, exist_ok=True)
    names = report_names(files)
    written: dict[int, Path] = {}
    for f in files:
        path = folder / names[f.file_id]
        text = json.dumps(validation_report(f, schemas), indent=2, ensure_ascii=False)
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(text + "\n", encoding="utf-8")
        tmp.replace(path)
        written[f.file_id] = path
    keep = {p.name for p in written.values()}
    for old in folder.glob(f"{REPORT_PREFIX}*.json"):
        if old.name not in keep:
            old.unlink()
    return written
