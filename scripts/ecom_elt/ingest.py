"""Append one file's rows to `raw.<source>`: one DuckDB statement reads the whole file.

DuckDB parses the file in parallel inside that statement, so there is no Python row loop and no
worker pool. Every value is loaded as delivered: CSV fields as text (an empty field is null),
JSON scalars as their text (`19.99`, `true`), JSON objects and arrays as `json`.

Row numbers. A `row_number() over ()` in the read forces DuckDB to scan the file on one thread
and costs about as much as the read itself. Instead the insert keeps the file's order
(`preserve_insertion_order`, DuckDB's default, which the loader sets explicitly), so inside the
file's transaction its rows occupy consecutive row ids in file order; one UPDATE then sets
`_row_number = rowid - first_rowid + 1`, in the same transaction as the insert. A check that the
row ids are consecutive guards the assumption (tests/python/test_load.py proves the order on a
parallel read; without preserve_insertion_order nearly every row would be out of place). The
UPDATE is cheap itself, but it makes DuckDB rewrite the file's row groups at commit: about 10-15 %
more CPU than the insert alone, against roughly 2x the wall time for the single-threaded window.

Paths. DuckDB's table functions treat `*`, `?` and `[` in a path as a glob, so the file is read
through a symlink with a plain name in a private temporary folder; the path is a bound parameter.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from types import TracebackType

import duckdb

from ecom_elt.cli import PipelineError
from ecom_elt.config import SourceSchema
from ecom_elt.rawdb import LINEAGE, ident, raw_type, table

# Largest CSV line / JSON record DuckDB accepts. DuckDB splits a CSV file among its threads in
# pieces of at least the maximum line size, so a larger CSV limit makes big files read on fewer
# threads (256 MiB reads a 1 GB file on one); 32 MiB keeps the read parallel.
MAX_CSV_LINE_BYTES = 32 << 20
MAX_JSON_OBJECT_BYTES = 256 << 20
_JSON_FORMATS = {"json_array": "array", "json_lines": "newline_delimited"}
_UNSAFE_PATH = set("*?[]{}'\"\\")


@dataclass(frozen=True)
class Lineage:
    file_id: int
    file_name: str
    file_hash: str | None  # None: set by number_rows (the hash is computed during the read)
    business_date: date
    loaded_at: datetime
    batch_id: int


class ReadLinks:
    """Plain-named symlinks to delivered files, in a private temporary folder."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="ecom-load-"))
        if _UNSAFE_PATH & set(str(self.folder)):
            shutil.rmtree(self.folder, ignore_errors=True)
            raise PipelineError(
                f"the temporary folder {self.folder} has glob or quote characters in its path; "
                "set TMPDIR to a plain folder"
            )
        self.count = 0

    def link(self, target: Path, gzipped: bool) -> str:
        self.count += 1
        path = self.folder / f"f{self.count}{'.gz' if gzipped else ''}"
        os.symlink(target, path)
        return str(path)

    def __enter__(self) -> ReadLinks:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def _lineage_params(lineage: Lineage) -> dict[str, object]:
    return {
        "file_id": lineage.file_id,
        "file_name": lineage.file_name,
        "file_hash": lineage.file_hash,
        "business_date": lineage.business_date,
        "loaded_at": lineage.loaded_at,
        "batch_id": lineage.batch_id,
    }


def _insert_sql(schema: SourceSchema, select_list: list[str], reader: str) -> str:
    lineage = [name for name, _ in LINEAGE if name != "_row_number"]
    targets = [ident(c.name) for c in schema.columns] + [ident(n) for n in lineage]
    values = [*select_list, *(f"${n.lstrip('_')}" for n in lineage)]
    return (
        f"insert into {table(schema.name)} ({', '.join(targets)}) "
        f"select {', '.join(values)} from {reader}"
    )


def insert_csv(
    con: duckdb.DuckDBPyConnection,
    schema: SourceSchema,
    header: list[str],
    path: str,
    gzipped: bool,
    lineage: Lineage,
) -> int:
    """Append a CSV file's rows (header `header`, in file order) and return how many."""
    position = {name: i for i, name in enumerate(header)}
    select_list = [f"c{position[c.name]}" if c.name in position else "null" for c in schema.columns]
    reader = (
        "read_csv($path, header = true, delim = ',', quote = '\"', escape = '\"', "
        "auto_detect = false, strict_mode = true, null_padding = false, columns = $columns, "
        "compression = $compression, max_line_size = $max_line, encoding = 'utf-8')"
    )
    params = {
        "path": path,
        "columns": {f"c{i}": "VARCHAR" for i in range(len(header))},
        "compression": "gzip" if gzipped else "none",
        "max_line": MAX_CSV_LINE_BYTES,
        **_lineage_params(lineage),
    }
    row = con.execute(_insert_sql(schema, select_list, reader), params).fetchone()
    return int(row[0]) if row else 0


def _json_reader_params(schema: SourceSchema, path: str, gzipped: bool) -> dict[str, object]:
    return {
        "path": path,
        "format": _JSON_FORMATS[schema.format],
        "compression": "gzip" if gzipped else "none",
        "max_object": MAX_JSON_OBJECT_BYTES,
    }


def json_keys(
    con: duckdb.DuckDBPyConnection, schema: SourceSchema, path: str, gzipped: bool
) -> tuple[int, int, list[str]]:
    """(records, records that are not objects, keys found across all objects)."""
    row = con.execute(
        "select count(*), count(*) filter (where json_type(json) is distinct from 'OBJECT'), "
        "list_distinct(flatten(list(distinct json_keys(json)) "
        "filter (where json_type(json) = 'OBJECT'))) "
        "from read_json_objects($path, format = $format, compression = $compression, "
        "maximum_object_size = $max_object)",
        _json_reader_params(schema, path, gzipped),
    ).fetchone()
    if row is None:
        return 0, 0, []
    return int(row[0]), int(row[1]), list(row[2] or [])


def insert_json(
    con: duckdb.DuckDBPyConnection,
    schema: SourceSchema,
    path: str,
    gzipped: bool,
    lineage: Lineage,
) -> int:
    """Append a JSON array's elements or a JSON Lines file's records; return how many."""
    select_list = [ident(c.name) for c in schema.columns]
    reader = (
        "read_json($path, format = $format, records = true, columns = $columns, "
        "compression = $compression, maximum_object_size = $max_object)"
    )
    params = {
        **_json_reader_params(schema, path, gzipped),
        # varchar gives a scalar's text (as ->> does) and an object's JSON text
        "columns": {c.name: "JSON" if raw_type(c) == "json" else "VARCHAR" for c in schema.columns},
        **_lineage_params(lineage),
    }
    row = con.execute(_insert_sql(schema, select_list, reader), params).fetchone()
    return int(row[0]) if row else 0


def number_rows(
    con: duckdb.DuckDBPyConnection,
    source: str,
    file_id: int,
    rows: int,
    file_hash: str | None = None,
) -> None:
    """Set `_row_number` (1-based, file order) on the rows this transaction appended, and
    `_file_hash` too when given (it was not known when the rows were inserted)."""
    first = con.execute(
        f"select min(rowid), max(rowid), count(*) from {table(source)} where _file_id = $id",
        {"id": file_id},
    ).fetchone()
    if first is None or first[2] != rows or first[1] - first[0] + 1 != rows:
        raise PipelineError(
            f"internal check failed: the {rows:,} rows of file id {file_id} in raw.{source} "
            "do not sit on consecutive row ids; nothing of the file was kept"
        )
    params: dict[str, object] = {"first": first[0], "id": file_id}
    assignments = "_row_number = rowid - $first + 1"
    if file_hash is not None:
        assignments += ", _file_hash = $hash"
        params["hash"] = file_hash
    con.execute(f"update {table(source)} set {assignments} where _file_id = $id", params)
