"""Append files' rows to `raw.<source>`: DuckDB reads several files of a source in one statement.

DuckDB parses the files in parallel inside that statement (a list of paths is read by all its
threads): that is the worker pool, and there is no Python row loop. Every value is loaded as
delivered: CSV fields as text (an empty field is null), JSON scalars as their text (`19.99`,
`true`), JSON objects and arrays as `json`.

The read goes into a temporary table, the stage (`_loader_stage`, in memory, spilled to
`temp_directory` when large), with the position of each row's file in the list read. DuckDB keeps
the order of what it reads (`preserve_insertion_order`, set by the loader): the stage's row ids
are consecutive per file, in file order, so `_row_number = rowid - <the file's first rowid> + 1`
(`stage_stats` checks that each file's row ids are consecutive). Why not a window:
`row_number() over ()`, `with ordinality` or a POSITIONAL JOIN with a range make DuckDB read on
one thread, about 2x the time of the read (`read_csv` has no `file_row_number`); appending
first and UPDATE-ing the numbers made DuckDB rewrite every row group at commit (10 M rows:
15.4 s, against 11.7 s through the stage).

A JSON file is read once, by `read_json` with the contract's fields as its columns (`varchar`,
`json` for objects and arrays): each record is parsed once, straight into the stage. DuckDB
rejects the read when a record is not an object (or names a contract field twice); a `null`
record reads as a row without any value, so such rows are counted (`blank`) and their file's
records are checked again (`count_not_objects`). Fields outside the contract are not read: they
are looked for in the file's head (filecheck.json_head_keys). Why not the record as JSON text
and the fields extracted from it: that parsed each record three times (read, keys, fields); on
80 API-log files (1 GB of content) the load took 12.2 s against 4.8 s for a bare `read_json`,
and takes 7.3 s this way.

Paths. DuckDB's table functions treat `*`, `?` and `[` in a path as a glob, so every file is read
through a symlink with a plain name (ReadLinks); paths are bound parameters.
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
# threads (256 MiB reads a 1 GB file on one); 32 MiB keeps the read parallel. The JSON reader
# holds buffers of twice the maximum object size per thread (256 MiB took 1 GiB with 2 threads,
# more than a 2 GB memory budget leaves): 32 MiB too. DuckDB still reads a larger record
# (tests/python/test_load_hostile.py loads one of 40 MiB).
MAX_CSV_LINE_BYTES = 32 << 20
MAX_JSON_OBJECT_BYTES = 32 << 20
_JSON_FORMATS = {"json_array": "array", "json_lines": "newline_delimited"}
_UNSAFE_PATH = set("*?[]{}'\"\\")

STAGE = "_loader_stage"
FILE_COLUMN = "_loader_file"  # 1-based position of the row's file in the list read


@dataclass(frozen=True)
class Lineage:
    file_id: int
    file_name: str
    file_hash: str
    business_date: date
    loaded_at: datetime
    batch_id: int


@dataclass(frozen=True)
class StagedFile:
    """One file's rows in the stage."""

    rows: int
    first_rowid: int
    blank: int = 0  # JSON records without a value in any contract field (`{}`, or `null`)
    valued: tuple[str, ...] = ()  # JSON: the contract fields with a value in some record


class ReadLinks:
    """Plain-named symlinks to delivered files, in `<root>/.loader-links/` (emptied at the start
    of every run, so a killed run leaves nothing behind for long), or in a private temporary
    folder when the data root's path itself has glob or quote characters."""

    def __init__(self, data_root: Path) -> None:
        folder = data_root / ".loader-links"
        if _UNSAFE_PATH & set(str(folder.absolute())):
            folder = Path(tempfile.mkdtemp(prefix="ecom-load-"))
            if _UNSAFE_PATH & set(str(folder)):
                shutil.rmtree(folder, ignore_errors=True)
                raise PipelineError(
                    f"the temporary folder {folder} has glob or quote characters in its path; "
                    "set TMPDIR to a plain folder"
                )
        else:  # the caller holds the pipeline lock: what is there is a killed run's leftover
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
        self.folder = folder.absolute()
        self.count = 0

    def link(self, target: Path, gzipped: bool) -> str:
        self.count += 1
        path = self.folder / f"f{self.count:07d}{'.gz' if gzipped else ''}"
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


def _file_position(
    paths: list[str], name: str = "path", offset: int = 0
) -> tuple[str, dict[str, object]]:
    """The stage's file column for a read of `paths` bound as `$<name>`, whose first file is at
    position `offset + 1` of the statement's list: a constant for one file, else the position
    of `filename`."""
    if len(paths) == 1:
        return f"{offset + 1}::usmallint as {ident(FILE_COLUMN)}", {name: paths[0]}
    column = f"({offset} + list_position(${name}, filename))::usmallint as {ident(FILE_COLUMN)}"
    return column, {name: paths}


def _reader_options(paths: list[str]) -> str:
    return ", filename = true" if len(paths) > 1 else ""


def stage_csv(
    con: duckdb.DuckDBPyConnection,
    schema: SourceSchema,
    headers: list[list[str]],
    paths: list[str],
    gzipped: bool,
) -> None:
    """Read CSV files (`headers[i]` is the header of `paths[i]`) into the stage, in the schema's
    columns, in one statement: one `read_csv` per run of files with the same header, joined by
    UNION ALL (DuckDB keeps their order), so files whose columns come in another order are read
    with the others instead of in a statement (and a commit) of their own."""
    runs: list[tuple[int, list[str], list[str]]] = []  # (first position - 1, header, paths)
    for index, (header, path) in enumerate(zip(headers, paths, strict=True)):
        if runs and runs[-1][1] == header:
            runs[-1][2].append(path)
        else:
            runs.append((index, header, [path]))
    params: dict[str, object] = {
        "compression": "gzip" if gzipped else "none",
        "max_line": MAX_CSV_LINE_BYTES,
    }
    selects = []
    for number, (offset, header, run_paths) in enumerate(runs):
        position = {name: i for i, name in enumerate(header)}
        file_column, bound = _file_position(run_paths, f"path_{number}", offset)
        params |= bound
        params[f"columns_{number}"] = {f"c{i}": "VARCHAR" for i in range(len(header))}
        select_list = [file_column] + [
            f"c{position[c.name]} as {ident(c.name)}"
            if c.name in position
            else f"null::varchar as {ident(c.name)}"
            for c in schema.columns
        ]
        reader = (
            f"read_csv($path_{number}, header = true, delim = ',', quote = '\"', "
            "escape = '\"', auto_detect = false, strict_mode = true, null_padding = false, "
            f"columns = $columns_{number}, compression = $compression, "
            f"max_line_size = $max_line, encoding = 'utf-8'{_reader_options(run_paths)})"
        )
        selects.append(f"select {', '.join(select_list)} from {reader}")
    con.execute(
        f"create or replace temp table {ident(STAGE)} as {' union all '.join(selects)}", params
    )


def _json_options(schema: SourceSchema, gzipped: bool) -> dict[str, object]:
    """The bound options of a JSON read (`$format`, `$compression`, `$max_object`)."""
    return {
        "format": _JSON_FORMATS[schema.format],
        "compression": "gzip" if gzipped else "none",
        "max_object": MAX_JSON_OBJECT_BYTES,
    }


def stage_json(
    con: duckdb.DuckDBPyConnection, schema: SourceSchema, paths: list[str], gzipped: bool
) -> None:
    """Read JSON arrays' elements or JSON Lines files' records into the stage, in the schema's
    columns: a scalar as its text (`19.99`, `true`), an object or array as `json`, null as null."""
    file_column, params = _file_position(paths)
    reader = (
        "read_json($path, format = $format, records = true, auto_detect = false, "
        "columns = $columns, compression = $compression, "
        f"maximum_object_size = $max_object{_reader_options(paths)})"
    )
    params |= _json_options(schema, gzipped)
    params["columns"] = {c.name: raw_type(c).upper() for c in schema.columns}
    select_list = [file_column] + [ident(c.name) for c in schema.columns]
    con.execute(
        f"create or replace temp table {ident(STAGE)} as select {', '.join(select_list)} "
        f"from {reader}",
        params,
    )


def count_not_objects(
    con: duckdb.DuckDBPyConnection, schema: SourceSchema, path: str, gzipped: bool
) -> int:
    """The records of one JSON file (`path`, a plain-named link) that are not objects: what a
    record without any value (`StagedFile.blank`) may be. Streamed by DuckDB, so a file of any
    size is counted in bounded memory."""
    row = con.execute(
        "select count(*) filter (where json_type(json) <> 'OBJECT') "
        "from read_json_objects($path, format = $format, compression = $compression, "
        "maximum_object_size = $max_object)",
        {"path": path, **_json_options(schema, gzipped)},
    ).fetchone()
    return int(row[0]) if row else 0


def stage_stats(con: duckdb.DuckDBPyConnection, schema: SourceSchema) -> dict[int, StagedFile]:
    """Per file position: rows, first row id and, for JSON, the records without any value and
    the fields with a value; checks that each file's row ids are consecutive. A file with no
    rows is absent."""
    names = [c.name for c in schema.columns]
    extra = ""
    if schema.format != "csv":
        all_null = " and ".join(f"{ident(n)} is null" for n in names)
        extra = f", count(*) filter (where {all_null}), " + ", ".join(
            f"count({ident(n)})" for n in names
        )
    found = con.execute(
        f"select {ident(FILE_COLUMN)}, count(*), min(rowid), max(rowid){extra} "
        f"from {ident(STAGE)} group by all"
    ).fetchall()
    staged: dict[int, StagedFile] = {}
    for row in found:
        position, rows, first, last = int(row[0]), int(row[1]), int(row[2]), int(row[3])
        if last - first + 1 != rows:
            raise PipelineError(
                f"internal check failed: the {rows:,} staged rows of a file do not have "
                "consecutive row ids; nothing of the file was kept"
            )
        if schema.format == "csv":
            staged[position] = StagedFile(rows, first)
        else:
            valued = tuple(n for n, count in zip(names, row[5:], strict=True) if count)
            staged[position] = StagedFile(rows, first, int(row[4]), valued)
    return staged


def append_stage(
    con: duckdb.DuckDBPyConnection,
    schema: SourceSchema,
    files: list[tuple[int, Lineage, int]],
) -> int:
    """Append the staged rows of `files` - (position, lineage, first row id) each - to
    raw.<source> with the lineage columns; return the rows appended."""
    if not files:
        return 0
    targets = [ident(c.name) for c in schema.columns] + [ident(n) for n, _ in LINEAGE]
    params: dict[str, object]
    if len(files) == 1:  # constants: no join
        position, lineage, first = files[0]
        lineage_values = {
            "_file_id": "$file_id",
            "_file_name": "$file_name",
            "_file_hash": "$file_hash",
            "_business_date": "$business_date",
            "_row_number": "s.rowid - $first + 1",
            "_loaded_at": "$loaded_at",
            "_batch_id": "$batch_id",
        }
        params = {
            "file_id": lineage.file_id,
            "file_name": lineage.file_name,
            "file_hash": lineage.file_hash,
            "business_date": lineage.business_date,
            "loaded_at": lineage.loaded_at,
            "batch_id": lineage.batch_id,
            "first": first,
        }
        joined = f"{ident(STAGE)} as s"
        where = f" where s.{ident(FILE_COLUMN)} = {int(position)}" if position != 1 else ""
    else:
        lineage_values = {
            "_file_id": "f.file_id",
            "_file_name": "f.file_name",
            "_file_hash": "f.file_hash",
            "_business_date": "f.business_date",
            "_row_number": "s.rowid - f.first_rowid + 1",
            "_loaded_at": "f.loaded_at",
            "_batch_id": "f.batch_id",
        }
        params = {
            "positions": [p for p, _, _ in files],
            "file_ids": [lin.file_id for _, lin, _ in files],
            "file_names": [lin.file_name for _, lin, _ in files],
            "file_hashes": [lin.file_hash for _, lin, _ in files],
            "business_dates": [lin.business_date for _, lin, _ in files],
            "loaded_ats": [lin.loaded_at for _, lin, _ in files],
            "batch_ids": [lin.batch_id for _, lin, _ in files],
            "firsts": [first for _, _, first in files],
        }
        joined = (
            f"{ident(STAGE)} as s inner join (select unnest($positions)::usmallint as position, "
            "unnest($file_ids)::bigint as file_id, unnest($file_names)::varchar as file_name, "
            "unnest($file_hashes)::varchar as file_hash, "
            "unnest($business_dates)::date as business_date, "
            "unnest($loaded_ats)::timestamp as loaded_at, unnest($batch_ids)::bigint as batch_id, "
            f"unnest($firsts)::bigint as first_rowid) as f on s.{ident(FILE_COLUMN)} = f.position"
        )
        where = ""
    values = [f"s.{ident(c.name)}" for c in schema.columns]
    values += [lineage_values[n] for n, _ in LINEAGE]
    row = con.execute(
        f"insert into {table(schema.name)} ({', '.join(targets)}) "
        f"select {', '.join(values)} from {joined}{where}",
        params,
    ).fetchone()
    return int(row[0]) if row else 0


def drop_stage(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"drop table if exists {ident(STAGE)}")
