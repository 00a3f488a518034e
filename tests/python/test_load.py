"""The loader: valid files of every source, reruns, modes, resume states and the raw interface.

Hostile files are in test_load_hostile.py, the kill -9 test in test_load_crash.py; the small
file writers below are shared by all three.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pytest

from ecom_elt.config import Column, load_data_schemas
from ecom_elt.load import KNOWN, LoadSummary, load
from ecom_elt.paths import DataRoot
from ecom_elt.rawdb import LINEAGE, MANIFEST_COLUMNS

SCHEMAS = load_data_schemas()
ID_COLUMN = {
    "users": "user_id",
    "products": "product_id",
    "sessions": "session_id",
    "orders": "order_id",
    "api_logs": "request_id",
}
DAY = "2026-10-01"


# --------------------------------------------------------------------------- file writers


def _value(col: Column, i: int) -> Any:
    return {
        "string": f"{col.name} {i}",
        "timestamp": "2026-10-01T08:15:30.125+02:00",
        "date": "1990-05-17",
        "boolean": i % 2 == 0,
        "integer": i,
        "number": 19.99,
        "object": {"color": "red", "size": "M", "weight_kg": 1.25},
        "array": [{"product_id": "P00001", "quantity": 2, "unit_price": 9.99, "discount_pct": 0}],
    }[col.type]


def record(source: str, tag: str, i: int) -> dict[str, Any]:
    """A valid record of `source`; its id column is `<tag>:<i>`."""
    rec = {c.name: _value(c, i) for c in SCHEMAS.sources[source].columns}
    rec[ID_COLUMN[source]] = f"{tag}:{i}"
    return rec


def records(source: str, tag: str, n: int) -> list[dict[str, Any]]:
    return [record(source, tag, i) for i in range(1, n + 1)]


def _csv_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def encode(
    source: str,
    recs: list[dict[str, Any]],
    *,
    newline: str = "\n",
    bom: bool = False,
    columns: list[str] | None = None,
) -> bytes:
    """The bytes of a file of `source` in its contract format."""
    fmt = SCHEMAS.sources[source].format
    if fmt == "csv":
        names = columns if columns is not None else list(recs[0] if recs else {})
        out = io.StringIO()
        writer = csv.writer(out, lineterminator=newline)
        writer.writerow(names)
        for rec in recs:
            writer.writerow([_csv_text(rec.get(n)) for n in names])
        text = out.getvalue()
    elif fmt == "json_array":
        text = json.dumps(recs, indent=1).replace("\n", newline)
    else:
        text = "".join(json.dumps(r) + newline for r in recs)
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


def file_name(source: str, day: str = DAY, suffix: str | None = None, gz: bool = False) -> str:
    ext = SCHEMAS.sources[source].extension
    return f"{source}_{day}{'_' + suffix if suffix else ''}.{ext}{'.gz' if gz else ''}"


def write(root: DataRoot, name: str, data: bytes, folder: str = "") -> Path:
    path = root.raw / folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def valid_file(
    root: DataRoot,
    source: str,
    n: int,
    tag: str | None = None,
    *,
    day: str = DAY,
    suffix: str | None = None,
    gz: bool = False,
    folder: str = "",
) -> Path:
    """Write a valid file of `n` records into raw/; record ids are `<tag>:<i>`."""
    name = file_name(source, day, suffix, gz)
    data = encode(source, records(source, tag or name, n))
    return write(root, name, gzip.compress(data) if gz else data, folder)


# --------------------------------------------------------------------------- warehouse reads


@contextmanager
def warehouse(root: DataRoot) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(str(root.warehouse), read_only=True)
    try:
        yield con
    finally:
        con.close()


def manifest(root: DataRoot) -> list[dict[str, Any]]:
    with warehouse(root) as con:
        cur = con.execute("select * from raw._files order by file_id")
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def ids_and_rows(root: DataRoot, source: str, name: str) -> list[tuple[str, int]]:
    with warehouse(root) as con:
        return con.execute(
            f'select "{ID_COLUMN[source]}", _row_number from raw.{source} '
            "where _file_name = ? order by _row_number",
            [name],
        ).fetchall()


def raw_files(root: DataRoot) -> list[str]:
    return sorted(p.relative_to(root.raw).as_posix() for p in root.raw.rglob("*") if p.is_file())


def row_count(root: DataRoot, source: str) -> int:
    with warehouse(root) as con:
        row = con.execute(f"select count(*) from raw.{source}").fetchone()
        return int(row[0]) if row else 0


# --------------------------------------------------------------------------- tests


def test_every_source_loads_with_lineage_and_is_archived(root: DataRoot) -> None:
    sizes = {"users": 7, "products": 5, "sessions": 11, "orders": 6, "api_logs": 9}
    for source, n in sizes.items():
        valid_file(root, source, n, gz=source == "api_logs")
    summary = load(root)
    assert summary.counts == {"loaded": 5}
    assert raw_files(root) == []
    rows = {r["source"]: r for r in manifest(root)}
    for source, n in sizes.items():
        name = file_name(source, gz=source == "api_logs")
        got = ids_and_rows(root, source, name)
        assert got == [(f"{name}:{i}", i) for i in range(1, n + 1)]
        entry = rows[source]
        assert entry["outcome"] == "loaded"
        assert entry["row_count"] == n
        assert entry["file_path"] == f"raw/{name}"
        assert entry["archived_to"] == f"archive/{source}/{DAY}/{name}"
        assert (root.root / entry["archived_to"]).is_file()
        assert json.loads(entry["reasons"]) == []
        assert len(entry["file_hash"]) == 64
    with warehouse(root) as con:
        lineage = con.execute(
            "select distinct _file_id, _file_name, _file_hash, _business_date, _loaded_at, "
            "_batch_id from raw.orders"
        ).fetchall()
        assert len(lineage) == 1
        file_id, fname, fhash, bdate, loaded_at, batch = lineage[0]
        assert (file_id, fname, fhash) == (
            rows["orders"]["file_id"],
            file_name("orders"),
            rows["orders"]["file_hash"],
        )
        assert (str(bdate), batch, loaded_at) == (DAY, 1, rows["orders"]["loaded_at"])
        # text as delivered; JSON scalars as their text, objects and arrays as json
        product = con.execute(
            "select price, is_active, stock_quantity, attributes->>'color', "
            "typeof(attributes), updated_at from raw.products where _row_number = 2"
        ).fetchone()
        assert product == ("19.99", "true", "2", "red", "JSON", "2026-10-01T08:15:30.125+02:00")
        items = con.execute("select typeof(items), items->'$[0]'->>'quantity' from raw.orders")
        assert items.fetchall()[0] == ("JSON", "2")
        user = con.execute(
            "select marketing_opt_in, birth_date from raw.users where _row_number = 1"
        ).fetchone()
        assert user == ("false", "1990-05-17")


def test_raw_tables_follow_the_interface(root: DataRoot) -> None:
    load(root)  # nothing to load: the schema is still created for dbt
    lineage = [name for name, _ in LINEAGE]
    with warehouse(root) as con:
        for source, schema in SCHEMAS.sources.items():
            cols = con.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = 'raw' and table_name = ? order by ordinal_position",
                [source],
            ).fetchall()
            expected = [
                (c.name, "JSON" if c.type in ("object", "array") else "VARCHAR")
                for c in schema.columns
            ]
            assert cols[: len(expected)] == expected
            assert [c for c, _ in cols[len(expected) :]] == lineage
        files = con.execute(
            "select column_name from information_schema.columns "
            "where table_schema = 'raw' and table_name = '_files' order by ordinal_position"
        ).fetchall()
        assert [c for (c,) in files] == [name for name, _ in MANIFEST_COLUMNS]


def test_rerun_loads_nothing(root: DataRoot) -> None:
    valid_file(root, "sessions", 4)
    valid_file(root, "orders", 3)
    first = load(root)
    assert first.counts == {"loaded": 2}
    second = load(root)
    assert second.files == []
    assert len(manifest(root)) == 2
    assert row_count(root, "sessions") == 4


@pytest.mark.parametrize("mode", ["keep", "copy"])
def test_keep_and_copy_leave_the_file_and_a_rerun_adds_nothing(root: DataRoot, mode: str) -> None:
    path = valid_file(root, "users", 3)
    load(root, mode=mode)
    assert path.is_file()
    archived = root.archive / "users" / DAY / path.name
    assert archived.is_file() is (mode == "copy")
    again = load(root, mode=mode)
    assert [f.outcome for f in again.files] == [KNOWN]
    assert len(manifest(root)) == 1
    assert row_count(root, "users") == 3
    assert not (root.archive / "users" / DAY / f"users_{DAY}__2.csv").exists()


def test_kept_file_is_archived_by_a_later_move_run_without_a_new_row(root: DataRoot) -> None:
    """A committed file still in raw/ (as after a crash before the move) is just archived."""
    path = valid_file(root, "sessions", 5)
    load(root, mode="keep")
    assert manifest(root)[0]["archived_to"] is None
    summary = load(root, mode="move")
    assert [f.outcome for f in summary.files] == [KNOWN]
    assert not path.exists()
    rows = manifest(root)
    assert len(rows) == 1
    assert rows[0]["archived_to"] == f"archive/sessions/{DAY}/{path.name}"
    assert (root.root / rows[0]["archived_to"]).is_file()
    assert row_count(root, "sessions") == 5


def test_resume_moves_to_the_recorded_destination(root: DataRoot) -> None:
    """Recorded with its destination, but the move never happened: the next run moves it."""
    path = valid_file(root, "orders", 2)
    load(root)
    archived = root.root / manifest(root)[0]["archived_to"]
    shutil.move(archived, path)  # as if the process died between commit and move
    summary = load(root)
    assert [f.outcome for f in summary.files] == [KNOWN]
    assert archived.is_file() and not path.exists()
    assert len(manifest(root)) == 1


def test_resume_after_link_before_unlink(root: DataRoot) -> None:
    """The archive name exists and the landing name too (died between link and unlink)."""
    path = valid_file(root, "orders", 2)
    load(root)
    archived = root.root / manifest(root)[0]["archived_to"]
    os.link(archived, path)
    load(root)
    assert archived.is_file() and not path.exists()
    assert len(manifest(root)) == 1
    assert row_count(root, "orders") == 2


def test_rejected_file_kept_in_raw_is_quarantined_later_without_a_new_row(root: DataRoot) -> None:
    path = write(root, file_name("sessions"), b"")
    load(root, mode="keep")
    load(root, mode="move")
    rows = manifest(root)
    assert len(rows) == 1 and rows[0]["outcome"] == "rejected"
    assert rows[0]["archived_to"] == f"quarantine/{path.name}"
    assert (root.quarantine / path.name).is_file() and not path.exists()


def test_archive_never_overwrites(root: DataRoot) -> None:
    valid_file(root, "sessions", 2, tag="first")
    load(root)
    valid_file(root, "sessions", 3, tag="second")  # new bytes under the same name
    summary = load(root)
    assert summary.counts == {"loaded": 1}
    folder = root.archive / "sessions" / DAY
    assert sorted(p.name for p in folder.iterdir()) == [
        f"sessions_{DAY}.csv",
        f"sessions_{DAY}__2.csv",
    ]
    assert manifest(root)[1]["archived_to"] == f"archive/sessions/{DAY}/sessions_{DAY}__2.csv"


def test_subfolders_are_scanned_and_recorded_relative_to_the_root(root: DataRoot) -> None:
    valid_file(root, "products", 2, folder="2026/10")
    load(root)
    assert manifest(root)[0]["file_path"] == f"raw/2026/10/products_{DAY}.json"


def test_hidden_files_are_ignored(root: DataRoot) -> None:
    write(root, ".gitkeep", b"")
    write(root, ".sessions_2026-10-01.csv.part", b"session_id\n")
    summary = load(root)
    assert summary.files == []


def test_row_numbers_follow_the_file_on_a_parallel_read(
    root: DataRoot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file DuckDB reads on several threads keeps its order (and its row numbers)."""
    # DuckDB cuts a CSV into pieces no smaller than the maximum line size: with DuckDB's
    # default of 2 MiB a 40 MB file is read in parallel (it would not be without
    # preserve_insertion_order: then about all rows come out of order).
    monkeypatch.setattr("ecom_elt.ingest.MAX_CSV_LINE_BYTES", 2 << 20)
    n = 400_000
    path = root.raw / file_name("sessions")
    con = duckdb.connect()
    columns = SCHEMAS.sources["sessions"].column_names
    select = ", ".join(
        f"'id-' || i::varchar as {c}"
        if c == "session_id"
        else f"'value ' || (i % 997)::varchar as {c}"
        for c in columns
    )
    con.execute(f"copy (select {select} from range(1, {n + 1}) t(i)) to '{path}' (header)")
    con.close()
    assert path.stat().st_size > 30_000_000
    summary = load(root)
    assert summary.rows_loaded == n
    with warehouse(root) as con:
        bad = con.execute(
            "select count(*) from raw.sessions where session_id <> 'id-' || _row_number::varchar"
        ).fetchone()
        assert bad == (0,)


def test_summary_table_lists_outcomes_and_sources(root: DataRoot) -> None:
    valid_file(root, "sessions", 2)
    write(root, "notes.txt", b"hello")
    summary: LoadSummary = load(root)
    table = summary.table()
    assert "loaded" in table and "sessions" in table and "unknown" in table
    assert "1 loaded (2 rows" in summary.headline()


def test_row_hashes_match_the_manifest_on_both_hashing_paths(root: DataRoot) -> None:
    """New sizes are hashed while DuckDB reads; a size seen before is hashed first."""
    valid_file(root, "users", 3, tag="aa")
    load(root)
    valid_file(root, "users", 3, tag="bb")  # same size, other bytes: hashed before the read
    load(root)
    rows = manifest(root)
    assert rows[0]["size_bytes"] == rows[1]["size_bytes"]
    assert [r["outcome"] for r in rows] == ["loaded", "loaded"]
    with warehouse(root) as con:
        got = con.execute(
            "select _file_id, any_value(_file_hash), count(distinct _file_hash), count(*) "
            "from raw.users group by 1 order by 1"
        ).fetchall()
    assert got == [(r["file_id"], r["file_hash"], 1, 3) for r in rows]


def test_many_files_read_in_one_statement_keep_their_rows_apart(root: DataRoot) -> None:
    """Files of a source are read together (gzipped or not, with a BOM or CRLF, in sub-folders):
    every file keeps its own rows, row numbers and lineage, and file ids follow discovery."""
    expected: dict[str, tuple[str, int]] = {}
    for i in range(1, 25):
        day = f"2026-10-{i:02d}"
        n = 1 + (i * 37) % 90
        for source in ("sessions", "api_logs", "products"):
            gz = source == "api_logs" and i % 3 == 0
            name = file_name(source, day, gz=gz)
            recs = records(source, name, n)
            data = encode(source, recs, newline="\r\n" if i % 4 == 0 else "\n", bom=i % 5 == 0)
            write(root, name, gzip.compress(data) if gz else data, folder=day[:7] if i % 2 else "")
            expected[name] = (source, n)
    summary = load(root)
    assert summary.counts == {"loaded": len(expected)}
    rows = manifest(root)
    assert [r["file_id"] for r in rows] == list(range(1, len(expected) + 1))
    discovered = sorted(rows, key=lambda r: (r["business_date"], r["file_name"]))
    assert [r["file_id"] for r in discovered] == [r["file_id"] for r in rows]
    by_name = {r["file_name"]: r for r in rows}
    with warehouse(root) as con:
        for name, (source, n) in expected.items():
            assert by_name[name]["row_count"] == n
            got = con.execute(
                f'select "{ID_COLUMN[source]}", _row_number, _file_id, _file_hash '
                f"from raw.{source} where _file_name = ? order by _row_number",
                [name],
            ).fetchall()
            assert [(key, number) for key, number, _, _ in got] == [
                (f"{name}:{i}", i) for i in range(1, n + 1)
            ]
            assert {(fid, fhash) for _, _, fid, fhash in got} == {
                (by_name[name]["file_id"], by_name[name]["file_hash"])
            }


def test_csv_files_with_columns_in_other_orders_are_read_together(root: DataRoot) -> None:
    """Files of one source whose columns come in different orders (one with an extra column,
    one without an optional one) are read in one statement, a read per header: every value
    lands in its own column, and each file keeps its rows and row numbers."""
    names = [c.name for c in SCHEMAS.sources["sessions"].columns]
    optional = next(c.name for c in SCHEMAS.sources["sessions"].columns if not c.required)
    layouts = [
        names,
        list(reversed(names)),
        names[1:] + names[:1] + ["extra_column"],
        [name for name in names if name != optional],
        list(reversed(names)),
        names,
    ]
    expected: dict[str, list[dict[str, Any]]] = {}
    for i, columns in enumerate(layouts, 1):
        name = file_name("sessions", f"2026-10-{i:02d}")
        recs = [{**r, "extra_column": "x"} for r in records("sessions", name, 10 + i)]
        write(root, name, encode("sessions", recs, columns=columns))
        expected[name] = [{k: v for k, v in r.items() if k in columns} for r in recs]
    summary = load(root)
    assert summary.counts == {"loaded": len(layouts)}
    quoted = ", ".join(f'"{name}"' for name in names)
    with warehouse(root) as con:
        for name, recs in expected.items():
            got = con.execute(
                f"select {quoted}, _row_number from raw.sessions where _file_name = ? "
                "order by _row_number",
                [name],
            ).fetchall()
            assert [row[-1] for row in got] == list(range(1, len(recs) + 1)), name
            for rec, row in zip(recs, got, strict=True):
                values = dict(zip(names, row, strict=False))
                for column in names:
                    want = _csv_text(rec[column]) if column in rec else None
                    assert values[column] == (want or None), (name, column)


def test_duckdb_memory_limit_and_spill_folder_follow_the_environment(
    root: DataRoot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ecom_elt.rawdb import connect

    def shown(limit: str) -> str:  # how DuckDB prints a memory limit
        with duckdb.connect(config={"memory_limit": limit}) as con:
            return str(con.execute("select current_setting('memory_limit')").fetchone()[0])

    monkeypatch.setenv("ECOM_MEMORY_LIMIT", "512MB")
    con = connect(root)
    try:
        limit, folder = con.execute(
            "select current_setting('memory_limit'), current_setting('temp_directory')"
        ).fetchone() or (None, None)
    finally:
        con.close()
    assert limit == shown("358MB")  # 70 % of the 512 MB budget
    assert folder == str(root.root / ".duckdb_tmp")
    monkeypatch.delenv("ECOM_MEMORY_LIMIT")
    con = connect(root)
    try:
        row = con.execute("select current_setting('memory_limit')").fetchone()
    finally:
        con.close()
    assert row == (shown("2800MB"),)  # 70 % of the default budget, 4GB, as profiles.yml gives dbt


@pytest.mark.parametrize(
    ("budget", "share"),
    [("2GB", "1400MB"), ("512mb", "358MB"), ("3GiB", "2254MB"), ("1.5 GB", "1050MB")],
)
def test_duckdb_gets_seventy_percent_of_the_memory_budget(budget: str, share: str) -> None:
    from ecom_elt.memory import duckdb_memory_limit

    assert duckdb_memory_limit(budget) == share


@pytest.mark.parametrize("budget", ["lots", "2", "2 XB", "50MB", ""])
def test_an_unreadable_memory_budget_is_a_usage_error(budget: str) -> None:
    from ecom_elt.cli import UsageError
    from ecom_elt.memory import budget_bytes

    with pytest.raises(UsageError, match=r"ECOM_MEMORY_LIMIT=.*at least 100MB"):
        budget_bytes(budget)


def test_dbt_gives_duckdb_the_same_share_of_the_budget_as_the_loader(
    root: DataRoot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """profiles.yml computes DuckDB's limit in Jinja; it must agree with memory.py."""
    from conftest import subprocess_env

    from ecom_elt.build import dbt_executable
    from ecom_elt.paths import REPO_ROOT
    from ecom_elt.rawdb import connect

    env = {**subprocess_env(root, tmp_path), "ECOM_MEMORY_LIMIT": "2GB"}
    done = subprocess.run(
        [dbt_executable(), "show", "--inline",
         "select current_setting('memory_limit') as m, current_setting('temp_directory') as t",
         "--output", "json", "--quiet"],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    shown = json.loads(done.stdout)["show"][0]
    monkeypatch.setenv("ECOM_MEMORY_LIMIT", "2GB")
    con = connect(root)
    try:
        expected = con.execute("select current_setting('memory_limit')").fetchone()
    finally:
        con.close()
    assert expected is not None
    assert shown["m"] == expected[0]
    assert shown["t"] == str(root.root / ".duckdb_tmp")
