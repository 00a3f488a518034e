"""Checks of a delivered file's bytes and structure, and the findings they produce.

A finding is what `raw._files.reasons` / `warnings` hold: `{rule, message, example}`. Every
message names the file, the rule and an example (a line number and its first 80 characters, a
header, a byte count), so a person can act on it without opening the warehouse.

- `scan_bytes`: one pass over the bytes as delivered, in 1 MiB chunks: the SHA-256 identity,
  gzip integrity (CRC and length included, which DuckDB's reader does not check) and UTF-8
  validity (a leading byte-order mark is tolerated). All of it runs in C (hashlib, ISA-L's
  inflater, the codec) and releases the GIL for the hashing, so it can run beside DuckDB's read;
  the loader hashes a file before it reads it and checks gzip and UTF-8 while DuckDB reads it.
- `read_head`: the first bytes of the (decompressed) content, to sniff the structure before
  DuckDB reads the file: CSV header and delimiter, JSON array versus JSON Lines.
- `csv_layout`, `json_shape_findings`, `json_head_keys`, `json_key_findings`: structure
  findings (a JSON file's field names come from the first 64 KiB of its head).
- `locate_json_problem`: the finding for the first record that is not valid JSON or not an
  object, read again in Python (only for a file DuckDB found fault with).
- `describe_load_error`: turns a DuckDB read error into a finding, locating the bad line.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import hashlib
import io
import json
import re
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from isal import isal_zlib

from ecom_elt.config import SourceSchema

CHUNK = 1 << 20
HEAD_BYTES = 1 << 20
KEY_SAMPLE_BYTES = 64 << 10  # of a JSON file's head, read for its fields (json_head_keys)
EXAMPLE_CHARS = 80
_GUNZIP_OUT = 8 << 20  # decompress at most this much per step (a zip bomb cannot flood memory)

# Rule names (docs/architecture.md, "raw schema").
FILE_UNREADABLE = "file_unreadable"
FILE_NOT_UTF8 = "file_not_utf8"
FILE_UNPARSEABLE = "file_unparseable"
FILE_WRONG_SHAPE = "file_wrong_shape"
REQUIRED_COLUMN_MISSING = "required_column_missing"
FILE_EMPTY = "file_empty"
UNKNOWN_SOURCE = "unknown_source"
INVALID_FILE_NAME = "invalid_file_name"
DUPLICATE_FILE = "duplicate_file"
EXTRA_COLUMN = "extra_column"
OPTIONAL_COLUMN_MISSING = "optional_column_missing"


@dataclass(frozen=True)
class Finding:
    """A reason to reject a file, or a warning about it."""

    rule: str
    message: str
    example: str

    def as_dict(self) -> dict[str, str]:
        return {"rule": self.rule, "message": self.message, "example": self.example}


def clip(text: str, limit: int = EXAMPLE_CHARS) -> str:
    """The first `limit` characters of one line of text, control characters made visible."""
    text = text.rstrip("\r\n")
    shown = text[:limit].replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t")
    return shown + ("..." if len(text) > limit else "")


def finding(file_name: str, rule: str, problem: str, example: str) -> Finding:
    """A finding whose message names the file, the rule, the problem and the example."""
    return Finding(rule, f"{file_name}: {rule}: {problem} (e.g. {example})", example)


def findings_json(findings: list[Finding]) -> str:
    return json.dumps([f.as_dict() for f in findings], ensure_ascii=False)


class _Problem(Exception):
    def __init__(self, found: Finding) -> None:
        super().__init__(found.message)
        self.finding = found


# --------------------------------------------------------------------------- the byte pass


@dataclass
class ByteScan:
    """Identity and integrity of a file's bytes."""

    sha256: str
    size: int
    problem: Finding | None = None


# What ISA-L's inflater (python-isal: the same API as zlib's, 2-3x faster, so checking a file's
# gzip costs less than DuckDB's reading of it) says, and what the message says instead.
_GZIP_PROBLEMS = {
    "Incorrect checksum found": (
        "its CRC-32 checksum does not match the content, or its length check does not "
        "(damaged in transit?)"
    ),
    "Invalid gzip/zlib wrapper found": "it is not gzip data",
}


class _Gunzip:
    """Incremental gzip decompression that also checks CRC and length of every member."""

    def __init__(self, file_name: str, text: _Utf8) -> None:
        self.file_name = file_name
        self.text = text  # knows the line the content has reached
        self.inflater = isal_zlib.decompressobj(wbits=31)
        self.produced = 0  # decompressed bytes so far

    def _broken(self, problem: str) -> _Problem:
        problem = re.sub(r"^Error -?\d+ ", "", problem)
        problem = _GZIP_PROBLEMS.get(problem, problem)
        line = self.text.locate(self.produced)[0] + 1
        example = f"after {self.produced:,} bytes of content (line {line:,})"
        return _Problem(
            finding(
                self.file_name, FILE_UNREADABLE, f"the gzip data is corrupt: {problem}", example
            )
        )

    def feed(self, chunk: bytes) -> Iterator[bytes]:
        pending = chunk
        while pending:
            try:
                out = self.inflater.decompress(pending, _GUNZIP_OUT)
            except isal_zlib.error as exc:
                raise self._broken(str(exc)) from None
            if out:
                self.produced += len(out)
                yield out
            if self.inflater.eof:  # a member ended; gzip allows another to follow
                pending = self.inflater.unused_data
                if pending:
                    self.inflater = isal_zlib.decompressobj(wbits=31)
            else:
                pending = self.inflater.unconsumed_tail

    def finish(self) -> Iterator[bytes]:
        try:
            out = self.inflater.flush()
        except isal_zlib.error as exc:
            raise self._broken(str(exc)) from None
        if out:
            self.produced += len(out)
            yield out
        if not self.inflater.eof:
            raise self._broken("the stream ends early (truncated file)")


class _Utf8:
    """Incremental UTF-8 validation. Lines are not counted as the bytes pass (that alone would
    cost as much as the hash); a problem's line is found by reading the content again."""

    def __init__(self, file_name: str, locate: Callable[[int], tuple[int, bytes]]) -> None:
        self.file_name = file_name
        self.decoder = codecs.getincrementaldecoder("utf-8")()
        self.offset = 0  # content bytes before the current chunk
        self.locate = locate  # (newlines before an offset, first bytes of that line)

    def feed(self, data: bytes) -> None:
        pending = self.decoder.getstate()[0]
        if not (data.isascii() and not pending):
            try:
                self.decoder.decode(data)
            except UnicodeDecodeError as exc:
                raise _Problem(self._not_utf8(data, max(exc.start - len(pending), 0))) from None
        self.offset += len(data)

    def finish(self) -> None:
        try:
            self.decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise _Problem(self._not_utf8(b"", 0)) from None

    def _not_utf8(self, data: bytes, index: int) -> Finding:
        lines, line_start = self.locate(self.offset)
        before = data.rfind(b"\n", 0, index)
        line_no = lines + data.count(b"\n", 0, index) + 1
        if before >= 0:
            start = data[before + 1 :]
            column = index - before
        else:
            start = line_start + data
            column = len(line_start) + index + 1
        end = start.find(b"\n")
        line = start[: end if end >= 0 else 512].decode("utf-8", "backslashreplace")
        if line_no == 1 and column == 1 and data[:2] in (b"\xff\xfe", b"\xfe\xff"):
            problem = "the file is UTF-16 (it starts with a UTF-16 byte-order mark)"
        elif index >= len(data):
            problem = f"the file ends inside a multi-byte character (line {line_no}); not UTF-8"
        else:
            problem = (
                f"byte 0x{data[index : index + 1].hex()} in line {line_no}, column {column} is "
                "not UTF-8 (Latin-1 or Windows-1252 text?); the contract requires UTF-8"
            )
        return finding(self.file_name, FILE_NOT_UTF8, problem, f"line {line_no}: {clip(line)}")


def scan_bytes(
    path: Path, file_name: str, gzipped: bool, check_text: bool = True, hash_bytes: bool = True
) -> ByteScan:
    """Hash the bytes as delivered (unless `hash_bytes` is False: `sha256` is then empty);
    unless `check_text` is False also check gzip and UTF-8."""
    digest = hashlib.sha256() if hash_bytes else None
    size = 0
    text = _Utf8(file_name, partial(content_lines, path, gzipped)) if check_text else None
    gunzip = _Gunzip(file_name, text) if gzipped and text else None
    problem: Finding | None = None
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(CHUNK):
                if digest is not None:
                    digest.update(chunk)
                size += len(chunk)
                if problem is not None or text is None:
                    continue
                try:
                    for data in gunzip.feed(chunk) if gunzip else (chunk,):
                        text.feed(data)
                except _Problem as exc:
                    problem = exc.finding
            if problem is None and text is not None:
                try:
                    for data in gunzip.finish() if gunzip else ():
                        text.feed(data)
                    text.finish()
                except _Problem as exc:
                    problem = exc.finding
    except OSError as exc:
        problem = finding(
            file_name, FILE_UNREADABLE, f"cannot read the file: {exc.strerror}", f"{size:,} bytes"
        )
    return ByteScan(digest.hexdigest() if digest is not None else "", size, problem)


def content_lines(path: Path, gzipped: bool, upto: int) -> tuple[int, bytes]:
    """(newlines in the first `upto` bytes of the content, the first bytes of the line that
    follows them): where a problem found at content offset `upto` sits. Reads the file again
    (only a bad file pays for it); a damaged gzip stream is read as far as it goes."""
    lines = 0
    line_start = b""
    seen = 0

    def take(data: bytes) -> None:
        nonlocal lines, line_start
        newlines = data.count(b"\n")
        if newlines:
            lines += newlines
            line_start = data[data.rfind(b"\n") + 1 :][:512]
        elif len(line_start) < 512:
            line_start += data[: 512 - len(line_start)]

    try:
        with open(path, "rb") as fh:
            inflater = zlib.decompressobj(wbits=31) if gzipped else None
            while seen < upto and (chunk := fh.read(CHUNK)):
                pending = chunk
                while pending and seen < upto:
                    if inflater is None:
                        out, pending = pending, b""
                    else:
                        out = inflater.decompress(pending, _GUNZIP_OUT)
                        if inflater.eof:
                            pending = inflater.unused_data
                            inflater = zlib.decompressobj(wbits=31)
                        else:
                            pending = inflater.unconsumed_tail
                    out = out[: upto - seen]
                    seen += len(out)
                    take(out)
                    if not out and not pending:
                        break
    except (OSError, zlib.error):
        pass
    return lines, line_start


def read_head(path: Path, gzipped: bool, limit: int = HEAD_BYTES) -> bytes:
    """The first `limit` bytes of the content (decompressed); short or empty if unreadable."""
    out = bytearray()
    with open(path, "rb") as fh:
        if not gzipped:
            return fh.read(limit)
        inflater = zlib.decompressobj(wbits=31)
        while len(out) < limit and (chunk := fh.read(1 << 16)):
            try:
                out += inflater.decompress(chunk, limit - len(out))
            except zlib.error:
                break
            if inflater.eof:
                break
    return bytes(out)


def _head_text(head: bytes) -> str:
    return head.decode("utf-8", "replace").removeprefix("\ufeff")


# --------------------------------------------------------------------------- structure


@dataclass
class Layout:
    """What a file's head says: CSV header names in file order; errors and warnings so far."""

    header: list[str] = field(default_factory=list)
    errors: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)


def _column_findings(
    file_name: str, schema: SourceSchema, present: list[str], example: str
) -> Layout:
    layout = Layout()
    for col in schema.columns:
        if col.name in present:
            continue
        if col.required:
            layout.errors.append(
                finding(
                    file_name,
                    REQUIRED_COLUMN_MISSING,
                    f"required column {col.name} is missing",
                    example,
                )
            )
        else:
            layout.warnings.append(
                finding(
                    file_name,
                    OPTIONAL_COLUMN_MISSING,
                    f"optional column {col.name} is missing; it loads as null",
                    example,
                )
            )
    known = set(schema.column_names)
    for name in present:
        if name not in known:
            layout.warnings.append(
                finding(
                    file_name,
                    EXTRA_COLUMN,
                    f"column {name!r} is not in the contract for {schema.name}; it is not loaded",
                    example,
                )
            )
    return layout


def csv_layout(file_name: str, head: bytes, schema: SourceSchema) -> Layout:
    """Header, delimiter and columns of a CSV file, judged from its head."""
    text = _head_text(head)
    if not text.strip():
        return Layout(
            errors=[finding(file_name, FILE_EMPTY, "the file has no header and no rows", "0 lines")]
        )
    first = text.split("\n", 1)[0].rstrip("\r")
    example = f"line 1: {clip(first)}"
    if not first.strip():
        problem = "line 1 is empty; a CSV file starts with its header line"
        return Layout(errors=[finding(file_name, FILE_UNPARSEABLE, problem, example)])
    for delimiter, label in ((";", "semicolons"), ("\t", "tabs"), ("|", "pipes")):
        if first.count(delimiter) > first.count(","):
            problem = f"the fields are separated by {label}; the contract requires commas"
            return Layout(errors=[finding(file_name, FILE_UNPARSEABLE, problem, example)])
    try:
        header = next(csv.reader(io.StringIO(text, newline="")))
    except (csv.Error, StopIteration) as exc:
        problem = f"the header line cannot be parsed as CSV ({exc})"
        return Layout(errors=[finding(file_name, FILE_UNPARSEABLE, problem, example)])
    header = [name.strip() for name in header]
    seen: set[str] = set()
    for name in header:
        if name in seen:
            problem = f"column {name!r} appears more than once in the header"
            return Layout(errors=[finding(file_name, FILE_WRONG_SHAPE, problem, example)])
        seen.add(name)
    layout = _column_findings(file_name, schema, header, example)
    layout.header = header
    return layout


def json_shape_findings(file_name: str, head: bytes, schema: SourceSchema) -> list[Finding]:
    """A JSON array for `json_array` sources, one object per line for `json_lines`."""
    text = _head_text(head).lstrip()
    if not text:
        return [finding(file_name, FILE_EMPTY, "the file holds no JSON at all", "0 records")]
    example = f"line 1: {clip(text.split(chr(10), 1)[0])}"
    first = text[0]
    if schema.format == "json_array":
        if first == "{":
            problem = "the file holds a JSON object where a JSON array of objects is due"
            return [finding(file_name, FILE_WRONG_SHAPE, problem, example)]
        if first != "[":
            problem = "the file does not start with a JSON array of objects"
            return [finding(file_name, FILE_UNPARSEABLE, problem, example)]
    else:
        if first == "[":
            problem = "the file holds a JSON array where one JSON object per line is due"
            return [finding(file_name, FILE_WRONG_SHAPE, problem, example)]
        if first != "{":
            problem = "the first line is not a JSON object; one JSON object per line is due"
            return [finding(file_name, FILE_UNPARSEABLE, problem, example)]
    return []


def json_head_keys(head: bytes, fmt: str) -> tuple[str, ...]:
    """The fields of the complete records in the first KEY_SAMPLE_BYTES of `head`: where the
    loader learns of fields outside the contract, which it does not read (a field the platform
    adds is in every record, so the first ones show it). Parsing a whole 1 MiB head in Python
    took 13 ms a file, more than DuckDB's read of an API-log file. A record that is not valid
    JSON is skipped here; DuckDB's read judges it."""
    whole = len(head) <= KEY_SAMPLE_BYTES
    text = _head_text(head[:KEY_SAMPLE_BYTES])
    values: list[Any] = []
    if fmt == "json_lines":
        lines = text.split("\n")
        for line in lines if whole else lines[:-1]:
            if line.strip():
                try:
                    values.append(json.loads(line))
                except json.JSONDecodeError:
                    continue
    else:
        decoder = json.JSONDecoder()
        at = text.find("[") + 1
        while 0 < at < len(text):
            while at < len(text) and text[at] in " \t\r\n,":
                at += 1
            try:
                value, at = decoder.raw_decode(text, at)
            except json.JSONDecodeError:
                break  # the end of the head (or of the array) is reached
            values.append(value)
    return tuple(sorted({key for value in values if isinstance(value, dict) for key in value}))


def json_key_findings(
    file_name: str, schema: SourceSchema, valued: tuple[str, ...], head: tuple[str, ...], rows: int
) -> Layout:
    """Required, optional and extra fields. A field is present when some record has a value for
    it (`valued`, counted over all records by DuckDB) or a record in the head names it; extra
    fields are known from the head only."""
    present = sorted(set(valued) | set(head))
    example = f"fields found in {rows:,} records: {clip(', '.join(present))}"
    return _column_findings(file_name, schema, present, example)


# --------------------------------------------------------------------------- read errors


def _kind(value: Any) -> str:
    names = {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}
    return names.get(type(value), "number")


def _open_text(path: Path, gzipped: bool) -> io.TextIOBase:
    raw: Any = gzip.open(path, "rb") if gzipped else open(path, "rb")  # noqa: SIM115
    return io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="\n")


def locate_json_problem(file_name: str, path: Path, gzipped: bool, fmt: str) -> Finding | None:
    """The finding for the first record that is not an object (FILE_WRONG_SHAPE), or for JSON
    that does not parse or a JSON-array file that is no array (FILE_UNPARSEABLE); None when
    every record is an object or the file is unreadable."""
    try:
        with _open_text(path, gzipped) as fh:
            if fmt == "json_lines":
                for line_no, line in enumerate(fh, 1):
                    if not line.strip():
                        continue
                    where = f"line {line_no}: {clip(line)}"
                    try:
                        value = json.loads(line)
                    except json.JSONDecodeError as exc:
                        problem = (
                            f"line {line_no} is not valid JSON "
                            f"({exc.msg.removesuffix(' at')}, column {exc.colno})"
                        )
                        return finding(file_name, FILE_UNPARSEABLE, problem, where)
                    if not isinstance(value, dict):
                        problem = f"line {line_no} is a JSON {_kind(value)}, not an object"
                        return finding(file_name, FILE_WRONG_SHAPE, problem, where)
                return None
            text = fh.read()
    except (OSError, EOFError, zlib.error):
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        lines = text.splitlines() or [""]
        line = lines[min(exc.lineno, len(lines)) - 1]
        problem = (
            f"invalid JSON at line {exc.lineno}, column {exc.colno} ({exc.msg.removesuffix(' at')})"
        )
        return finding(file_name, FILE_UNPARSEABLE, problem, f"line {exc.lineno}: {clip(line)}")
    if not isinstance(value, list):
        problem = f"the file holds a JSON {_kind(value)}, not an array"
        return finding(file_name, FILE_UNPARSEABLE, problem, clip(text))
    for index, element in enumerate(value, 1):
        if not isinstance(element, dict):
            problem = f"element {index} of the array is a JSON {_kind(element)}, not an object"
            example = f"element {index}: {clip(json.dumps(element))}"
            return finding(file_name, FILE_WRONG_SHAPE, problem, example)
    return None


_CSV_LINE = re.compile(r"CSV Error on Line: (\d+)")
_CSV_ORIGINAL = re.compile(r"Original Line: ?(.*)")
_CSV_COLUMNS = re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)")
_JSON_DUPLICATE_KEY = re.compile(
    r'in (line|record/value) (\d+): Object (.*) has duplicate key "(.*?)"'
)


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text


def describe_load_error(
    file_name: str, fmt: str, error: Exception, path: Path, gzipped: bool
) -> Finding:
    """A finding for a DuckDB error raised while reading the file."""
    text = str(error)
    if "GZIP" in text.upper() or "decompress" in text.lower():
        return finding(
            file_name, FILE_UNREADABLE, f"the gzip data is corrupt ({_first_line(text)})", "-"
        )
    if fmt == "csv":
        line = _CSV_LINE.search(text)
        original = _CSV_ORIGINAL.search(text)
        line_no = line.group(1) if line else "?"
        example = f"line {line_no}: {clip(original.group(1)) if original else '?'}"
        columns = _CSV_COLUMNS.search(text)
        if columns:
            expected, found = columns.groups()
            problem = f"line {line_no} has {found} fields where the header has {expected}"
        elif "unterminated quote" in text:
            problem = f"line {line_no} opens a quoted value that is never closed"
        elif "Invalid unicode" in text:
            return finding(file_name, FILE_NOT_UTF8, f"line {line_no} is not UTF-8", example)
        elif "Maximum line size" in text or "maximum line size" in text:
            problem = f"line {line_no} is longer than the maximum line size"
        else:
            problem = f"the CSV cannot be parsed ({clip(_first_line(text), 200)})"
        return finding(file_name, FILE_UNPARSEABLE, problem, example)
    duplicate = _JSON_DUPLICATE_KEY.search(text)
    if duplicate:
        unit, number, record, key = duplicate.groups()
        where = "line" if unit == "line" else "element"
        problem = f"{where} {number} names the field {key!r} twice; which value holds is unclear"
        return finding(file_name, FILE_UNPARSEABLE, problem, f"{where} {number}: {clip(record)}")
    located = locate_json_problem(file_name, path, gzipped, fmt)
    if located is not None:
        return located
    return finding(
        file_name,
        FILE_UNPARSEABLE,
        f"the JSON cannot be read ({clip(_first_line(text), 200)})",
        clip(_first_line(text)),
    )
