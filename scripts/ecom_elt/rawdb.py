"""The warehouse side of the loader: the connection, the `raw` schema and the manifest `raw._files`.

Tables follow docs/architecture.md ("raw schema"): `raw.<source>` has every contract column of
`config/data_schemas.json` (varchar; `json` for object and array fields), then the lineage
columns; `raw._files` has one row per delivered file, whatever its outcome. Identifiers come from
the validated config only and are quoted; every value is a bound parameter.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from pathlib import Path

import duckdb

from ecom_elt.cli import PipelineError
from ecom_elt.config import Column, DataSchemas, SourceSchema
from ecom_elt.memory import duckdb_memory_limit
from ecom_elt.paths import DataRoot

SCHEMA = "raw"
MANIFEST = "_files"
OUTCOMES = ("loaded", "rejected", "duplicate", "unknown")
LINEAGE: tuple[tuple[str, str], ...] = (
    ("_file_id", "bigint"),
    ("_file_name", "varchar"),
    ("_file_hash", "varchar"),
    ("_business_date", "date"),
    ("_row_number", "bigint"),
    ("_loaded_at", "timestamp"),
    ("_batch_id", "bigint"),
)
MANIFEST_COLUMNS: tuple[tuple[str, str], ...] = (
    ("file_id", "bigint primary key"),
    ("batch_id", "bigint not null"),
    ("file_name", "varchar not null"),
    ("file_path", "varchar not null"),
    ("source", "varchar"),
    ("business_date", "date"),
    ("suffix", "varchar"),
    ("file_hash", "varchar not null"),
    ("size_bytes", "bigint not null"),
    ("row_count", "bigint"),
    ("outcome", "varchar not null"),
    ("reasons", "json"),
    ("warnings", "json"),
    ("duplicate_of_file_id", "bigint"),
    ("discovered_at", "timestamp"),
    ("loaded_at", "timestamp"),
    ("load_seconds", "double"),
    ("archived_to", "varchar"),
)
_IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")


def ident(name: str) -> str:
    """A quoted SQL identifier; only the plain lower-case names the config allows pass."""
    if not _IDENT.match(name):
        raise ValueError(f"not a plain lower-case identifier: {name!r}")
    return f'"{name}"'


def table(source: str) -> str:
    return f"{ident(SCHEMA)}.{ident(source)}"


def raw_type(column: Column) -> str:
    """The delivered text as varchar; JSON objects and arrays as json."""
    return "json" if column.type in ("object", "array") else "varchar"


TEMP_FOLDER = ".duckdb_tmp"


def duckdb_limits(root: DataRoot) -> dict[str, str]:
    """DuckDB's memory limit and spill folder, as profiles.yml gives them to dbt: 70 % of
    `$ECOM_MEMORY_LIMIT` (the step's budget, default 4GB; memory.py) and `<root>/.duckdb_tmp`."""
    return {"memory_limit": duckdb_memory_limit(), "temp_directory": str(root.root / TEMP_FOLDER)}


def connect(root: DataRoot) -> duckdb.DuckDBPyConnection:
    """Open the warehouse read-write, with a clear error when another process holds it."""
    path = root.warehouse
    limits = duckdb_limits(root)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(path), config=limits)
    except duckdb.IOException as exc:
        first = str(exc).strip().splitlines()[0]
        if "lock" in first.lower():
            raise PipelineError(
                f"the warehouse {path} is open in another process (DuckDB allows one writer); "
                "close it and run again"
            ) from None
        raise PipelineError(f"cannot open the warehouse {path}: {first}") from None
    # Rows keep the file's order inside the table: the row numbers rely on it.
    con.execute("set preserve_insertion_order = true")
    # Progress of long statements, read from another thread; nothing printed by DuckDB itself.
    con.execute("set enable_progress_bar = true")
    con.execute("set enable_progress_bar_print = false")
    return con


def ensure_raw_schema(con: duckdb.DuckDBPyConnection, schemas: DataSchemas) -> None:
    """Create the raw schema, the manifest and one table per source; add columns new in config."""
    con.execute("begin")
    try:
        con.execute(f"create schema if not exists {ident(SCHEMA)}")
        _ensure_table(con, MANIFEST, MANIFEST_COLUMNS)
        for source in schemas.sources.values():
            _ensure_table(con, source.name, source_columns(source))
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def raw_storage(column: Column) -> str:
    """The column's type in raw.<source>, with how DuckDB stores it. Text whose values are
    nearly all distinct - every timestamp and every identifier (`*_id`) - is stored with ZSTD:
    DuckDB's default for text (DICT_FSST) spends twice the time on such a column while the
    data is written (a 10 M-row session_id: 1.0 s against 0.5 s) for about the same size
    (54 against 62 MB; started_at 72 against 62 MB). Text with few distinct values keeps
    DICT_FSST, which is as fast and far smaller there (device_type: 3 against 47 MB)."""
    kind = raw_type(column)
    if kind == "varchar" and (column.type == "timestamp" or column.name.endswith("_id")):
        return f"{kind} using compression zstd"
    return kind


def source_columns(source: SourceSchema) -> tuple[tuple[str, str], ...]:
    return (*((c.name, raw_storage(c)) for c in source.columns), *LINEAGE)


def _ensure_table(
    con: duckdb.DuckDBPyConnection, name: str, cols: tuple[tuple[str, str], ...]
) -> None:
    body = ", ".join(f"{ident(c)} {t}" for c, t in cols)
    con.execute(f"create table if not exists {table(name)} ({body})")
    present = {
        r[0]
        for r in con.execute(
            "select column_name from information_schema.columns "
            "where table_schema = $schema and table_name = $table",
            {"schema": SCHEMA, "table": name},
        ).fetchall()
    }
    for col, col_type in cols:
        if col not in present:  # a column added to config/data_schemas.json since
            # the type without constraints (not null, primary key), with its storage clause
            # (which DuckDB versions before 2.0 ignore on ADD COLUMN: a matter of speed only)
            declared, using, method = col_type.partition(" using compression ")
            added = f"{declared.split()[0]}{using}{method}"
            con.execute(f"alter table {table(name)} add column {ident(col)} {added}")


# --------------------------------------------------------------------------- manifest


@dataclass
class ManifestRow:
    """One row of raw._files."""

    file_id: int
    batch_id: int
    file_name: str
    file_path: str
    source: str | None
    business_date: date | None
    suffix: str | None
    file_hash: str
    size_bytes: int
    row_count: int | None
    outcome: str
    reasons: str  # JSON list of {rule, message, example}
    warnings: str
    duplicate_of_file_id: int | None
    discovered_at: datetime
    loaded_at: datetime
    load_seconds: float
    archived_to: str | None


@dataclass(frozen=True)
class Known:
    """What the manifest says about bytes already seen."""

    file_id: int
    file_name: str
    file_path: str
    outcome: str
    archived_to: str | None


class Manifest:
    """Reads and writes raw._files on the loader's connection (the caller owns transactions).

    What a run needs to know about earlier deliveries - the sizes and hashes already recorded,
    the next file and batch ids - is read once, by `load_index` (one query each), and kept in
    Python; `remember` adds the rows of this run once their transaction has committed."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self._table = table(MANIFEST)
        self._sizes: set[int] = set()
        self._by_path: dict[tuple[str, str], Known] = {}
        self._loaded: dict[str, Known] = {}
        self._next_file_id = 1
        self._next_batch_id = 1

    def load_index(self, sizes: Iterable[int]) -> None:
        """Read what the manifest knows about files of these sizes, and the next ids."""
        row = self.con.execute(
            f"select coalesce(max(file_id), 0) + 1, coalesce(max(batch_id), 0) + 1 "
            f"from {self._table}"
        ).fetchone()
        self._next_file_id, self._next_batch_id = (int(row[0]), int(row[1])) if row else (1, 1)
        wanted = sorted(set(sizes))
        if not wanted:
            return
        rows = self.con.execute(
            f"select file_id, file_name, file_path, outcome, archived_to, file_hash, size_bytes "
            f"from {self._table} where size_bytes in (select unnest($sizes)) order by file_id",
            {"sizes": wanted},
        ).fetchall()
        for file_id, name, path, outcome, archived_to, file_hash, size in rows:
            self._add(Known(file_id, name, path, outcome, archived_to), file_hash, size)

    def _add(self, known: Known, file_hash: str, size: int) -> None:
        self._sizes.add(size)
        self._by_path.setdefault((file_hash, known.file_path), known)
        if known.outcome == "loaded":
            self._loaded.setdefault(file_hash, known)

    def remember(self, rows: Iterable[ManifestRow]) -> None:
        """Rows this run has committed: later files of the run see them."""
        for r in rows:
            known = Known(r.file_id, r.file_name, r.file_path, r.outcome, r.archived_to)
            self._add(known, r.file_hash, r.size_bytes)

    def size_seen(self, size: int) -> bool:
        """Whether any recorded file has this size (if none has, the bytes are new)."""
        return size in self._sizes

    def same_delivery(self, file_hash: str, file_path: str) -> Known | None:
        """The row of these bytes at this path, if the loader has seen them before."""
        return self._by_path.get((file_hash, file_path))

    def loaded(self, file_hash: str) -> Known | None:
        """The delivery that loaded these bytes, if any."""
        return self._loaded.get(file_hash)

    def next_file_id(self) -> int:
        """A new file id (ids of a transaction that rolled back are not reused: gaps are fine)."""
        file_id = self._next_file_id
        self._next_file_id += 1
        return file_id

    def next_batch_id(self) -> int:
        return self._next_batch_id

    def insert(self, row: ManifestRow) -> None:
        self.insert_many([row])

    def insert_many(self, rows: list[ManifestRow]) -> None:
        """Insert rows in one statement (one list parameter per column)."""
        if not rows:
            return
        names = [f.name for f in fields(ManifestRow)]
        columns = ", ".join(ident(n) for n in names)
        values = ", ".join(f"unnest(${n})" for n in names)
        self.con.execute(
            f"insert into {self._table} ({columns}) select {values}",
            {n: [getattr(r, n) for r in rows] for n in names},
        )

    def set_archived_to(self, file_id: int, archived_to: str | None) -> None:
        self.con.execute(
            f"update {self._table} set archived_to = $to where file_id = $id",
            {"to": archived_to, "id": file_id},
        )
        for key, known in list(self._by_path.items()):
            if known.file_id == file_id:
                self._by_path[key] = replace(known, archived_to=archived_to)


def rel_path(root: DataRoot, path: Path | None) -> str | None:
    """A path as the manifest stores it: relative to the data root, with `/`."""
    if path is None:
        return None
    try:
        return path.relative_to(root.root).as_posix()
    except ValueError:
        return str(path)


def as_json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)
