"""Find and parse the delivered files, as `raw-data-contract.md` writes them.

Plain Python only (pathlib, hashlib, gzip, csv, json): the test must reach the raw rows by a
different road than the loader. A file yields either a failure (the loader's file-level reasons:
unreadable, not UTF-8, unparseable, wrong shape, a required column missing, empty) or its rows.

Rows hold the delivered *text* of each scalar (JSON numbers keep their literal, booleans become
`true`/`false`, JSON null and an empty CSV field become None); JSON objects and arrays stay
Python objects whose scalars follow the same convention. Typing is the job of `contract`.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

SOURCES = ("users", "products", "sessions", "orders", "api_logs")

# The contract's file name: <source>_<YYYY-MM-DD>[_<suffix>].<ext>[.gz]
FILE_NAME = re.compile(
    r"^(?P<source>users|products|sessions|orders|api_logs)_(?P<day>[0-9]{4}-[0-9]{2}-[0-9]{2})"
    r"(?:_(?P<suffix>[A-Za-z0-9-]+))?\.(?P<ext>[a-z]+)(?P<gz>\.gz)?$"
)
EXTENSION = {
    "users": "csv",
    "sessions": "csv",
    "products": "json",
    "orders": "jsonl",
    "api_logs": "jsonl",
}
# Every column of each source, from the contract's tables (order as written there).
COLUMNS = {
    "users": (
        "user_id",
        "email",
        "first_name",
        "last_name",
        "country_code",
        "city",
        "signup_at",
        "birth_date",
        "marketing_opt_in",
        "updated_at",
    ),
    "products": (
        "product_id",
        "name",
        "category",
        "subcategory",
        "brand",
        "price",
        "cost",
        "stock_quantity",
        "is_active",
        "attributes",
        "updated_at",
    ),
    "sessions": (
        "session_id",
        "user_id",
        "started_at",
        "ended_at",
        "device_type",
        "os",
        "browser",
        "traffic_source",
        "campaign",
        "country_code",
        "landing_page",
        "page_views",
        "product_views",
        "add_to_cart_count",
    ),
    "orders": (
        "order_id",
        "user_id",
        "session_id",
        "ordered_at",
        "updated_at",
        "status",
        "currency",
        "payment_method",
        "shipping_country_code",
        "shipping_cost",
        "coupon_code",
        "items",
    ),
    "api_logs": (
        "ts",
        "request_id",
        "service",
        "method",
        "endpoint",
        "status_code",
        "latency_ms",
        "response_bytes",
        "user_id",
        "session_id",
        "client_ip",
        "user_agent",
    ),
}
# Columns marked "required" in the contract: a file lacking one is rejected.
REQUIRED_COLUMNS = {
    "users": ("user_id", "email", "signup_at", "updated_at"),
    "products": ("product_id", "name", "category", "price", "cost", "updated_at"),
    "sessions": ("session_id", "started_at", "ended_at"),
    "orders": ("order_id", "user_id", "ordered_at", "updated_at", "items"),
    "api_logs": ("ts", "request_id"),
}


@dataclass(frozen=True)
class RawFile:
    """One delivered file: where it is, what its name says, and its identity (content hash)."""

    path: Path
    relative_path: str
    file_name: str
    source: str | None
    business_date: date | None
    suffix: str | None
    name_ok: bool
    file_hash: str
    content: bytes = field(repr=False)

    @property
    def order_key(self) -> tuple[date, str]:
        """Delivery order: later business date, then later file name, is the later delivery."""
        assert self.business_date is not None
        return (self.business_date, self.file_name)


@dataclass
class ParsedFile:
    """A file's parse: a failure reason (loader rule name), or its columns and text rows."""

    file: RawFile
    failure: str | None = None
    columns: tuple[str, ...] = ()
    rows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def source(self) -> str:
        assert self.file.source is not None
        return self.file.source


def discover(raw_dir: Path) -> list[RawFile]:
    """Every file under raw_dir (recursively), sorted by relative path, with its name parsed."""
    found = []
    for path in sorted(p for p in raw_dir.rglob("*") if p.is_file()):
        if path.name.startswith("."):  # hidden: an upload in progress, .gitkeep
            continue
        content = path.read_bytes()
        name = path.name
        match = FILE_NAME.match(name)
        source = business_date = suffix = None
        name_ok = False
        if match and EXTENSION[match["source"]] == match["ext"]:
            try:
                business_date = date.fromisoformat(match["day"])
                source, suffix, name_ok = match["source"], match["suffix"], True
            except ValueError:
                business_date = None
        if not name_ok:
            # A known source's file whose name breaks the pattern is a (rejected) delivery of
            # that source; a name no source starts with is unknown.
            prefixed = [s for s in SOURCES if name.startswith(f"{s}_")]
            source = max(prefixed, key=len) if prefixed else None
        found.append(
            RawFile(
                path=path,
                relative_path=path.relative_to(raw_dir).as_posix(),
                file_name=name,
                source=source,
                business_date=business_date,
                suffix=suffix,
                name_ok=name_ok,
                file_hash=hashlib.sha256(content).hexdigest(),
                content=content,
            )
        )
    return found


def loadable_and_repeated(files: list[RawFile]) -> tuple[list[RawFile], list[RawFile]]:
    """Files of a known source with a valid name, in delivery order (business date, then name),
    split into first deliveries of their bytes and repeats (the same bytes are loaded once)."""
    seen: set[str] = set()
    first, repeated = [], []
    candidates = [raw for raw in files if raw.source is not None and raw.name_ok]
    for raw in sorted(candidates, key=lambda r: (r.business_date, r.file_name, r.relative_path)):
        (repeated if raw.file_hash in seen else first).append(raw)
        seen.add(raw.file_hash)
    return first, repeated


def _json_scalar_text(value: Any) -> Any:
    """JSON values as the raw layer keeps them: scalars as text, containers as Python objects."""
    if value is None:
        return None
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, dict):
        return {key: _json_scalar_text(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_scalar_text(item) for item in value]
    return value  # str (numbers arrive as their literal via parse_float/parse_int)


def _loads(text: str) -> Any:
    return json.loads(text, parse_float=str, parse_int=str, parse_constant=str)


def parse(raw: RawFile) -> ParsedFile:
    """Decode and parse one file of a known source."""
    parsed = ParsedFile(file=raw)
    data = raw.content
    if raw.file_name.endswith(".gz"):
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, gzip.BadGzipFile):
            parsed.failure = "file_unreadable"
            return parsed
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        parsed.failure = "file_not_utf8"
        return parsed
    text = text.removeprefix("\ufeff")
    source = raw.source
    assert source is not None
    try:
        if source in ("users", "sessions"):
            columns, rows = _parse_csv(text)
        elif source == "products":
            columns, rows = _parse_json_array(text)
        else:
            columns, rows = _parse_json_lines(text)
    except _Unparseable as exc:
        parsed.failure = exc.reason
        return parsed
    parsed.columns = tuple(columns)
    if any(column not in columns for column in REQUIRED_COLUMNS[source]):
        parsed.failure = "required_column_missing"
        return parsed
    if not rows:
        parsed.failure = "file_empty"
        return parsed
    # Extra columns are ignored; absent optional columns are null.
    parsed.rows = [{column: row.get(column) for column in COLUMNS[source]} for row in rows]
    return parsed


class _Unparseable(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _parse_csv(text: str) -> tuple[list[str], list[dict[str, Any]]]:
    if not text.strip():
        raise _Unparseable("file_empty")
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as exc:
        raise _Unparseable("file_unparseable") from exc
    records = [record for record in records if record]  # blank lines carry no row
    header = records[0]
    if len(set(header)) != len(header):
        raise _Unparseable("file_unparseable")
    rows = []
    for record in records[1:]:
        if len(record) != len(header):
            raise _Unparseable("file_unparseable")
        rows.append(
            {
                name: (value if value != "" else None)
                for name, value in zip(header, record, strict=True)
            }
        )
    return header, rows


def _parse_json_array(text: str) -> tuple[list[str], list[dict[str, Any]]]:
    try:
        document = _loads(text)
    except ValueError as exc:
        raise _Unparseable("file_unparseable") from exc
    if not isinstance(document, list) or not all(isinstance(item, dict) for item in document):
        raise _Unparseable("file_wrong_shape")
    return _columns_of(document), [_json_scalar_text(item) for item in document]


def _parse_json_lines(text: str) -> tuple[list[str], list[dict[str, Any]]]:
    objects = []
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            value = _loads(line)
        except ValueError as exc:
            raise _Unparseable("file_unparseable") from exc
        if not isinstance(value, dict):
            raise _Unparseable("file_wrong_shape")
        objects.append(value)
    return _columns_of(objects), [_json_scalar_text(item) for item in objects]


def _columns_of(objects: list[dict[str, Any]]) -> list[str]:
    """A JSON file has a column when any of its objects carries the key."""
    columns: dict[str, None] = {}
    for item in objects:
        columns.update(dict.fromkeys(item))
    return list(columns)


# ----------------------------------------------------------------------------- typed values

_TIMESTAMP = re.compile(
    r"^(?P<y>[0-9]{4})-(?P<mo>[0-9]{2})-(?P<d>[0-9]{2})T(?P<h>[0-9]{2}):(?P<mi>[0-9]{2})"
    r":(?P<s>[0-9]{2})(?:\.(?P<frac>[0-9]{1,9}))?(?P<tz>Z|[+-][0-9]{2}:[0-9]{2})$"
)
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_DECIMAL = re.compile(r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$")
_INTEGER = re.compile(r"^[+-]?[0-9]+$")


class BadValue(ValueError):
    """A delivered text that is not a valid value of its contract type."""


def to_utc(text: str) -> datetime:
    """An ISO-8601 timestamp with `Z` or `±HH:MM`, as a naive UTC datetime (microseconds)."""
    match = _TIMESTAMP.match(text)
    if not match:
        raise BadValue(text)
    frac = (match["frac"] or "").ljust(6, "0")[:6]
    tz = match["tz"]
    if tz == "Z":
        offset = timedelta(0)
    else:
        hours, minutes = int(tz[1:3]), int(tz[4:6])
        if minutes >= 60 or hours >= 24:
            raise BadValue(text)
        offset = timedelta(hours=hours, minutes=minutes) * (1 if tz[0] == "+" else -1)
    try:
        moment = datetime(
            int(match["y"]),
            int(match["mo"]),
            int(match["d"]),
            int(match["h"]),
            int(match["mi"]),
            int(match["s"]),
            int(frac),
            tzinfo=timezone(offset),
        )
    except ValueError as exc:
        raise BadValue(text) from exc
    return moment.astimezone(UTC).replace(tzinfo=None)


def to_date(text: str) -> date:
    if not _DATE.match(text):
        raise BadValue(text)
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise BadValue(text) from exc


def to_decimal(text: str) -> Decimal:
    """A number in decimal notation ('.' separator), exactly."""
    if not isinstance(text, str) or not _DECIMAL.match(text):
        raise BadValue(str(text))
    try:
        return Decimal(text)
    except InvalidOperation as exc:
        raise BadValue(text) from exc


def to_integer(text: str) -> int:
    if not isinstance(text, str) or not _INTEGER.match(text):
        raise BadValue(str(text))
    return int(text)


def to_boolean(text: str) -> bool:
    if text == "true":
        return True
    if text == "false":
        return False
    raise BadValue(str(text))
