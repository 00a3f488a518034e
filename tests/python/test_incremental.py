"""Incremental models: any sequence of incremental runs gives the rows a full refresh gives.

Generated data is delivered in two steps (the first half of the business days, load, build; the
second half, load, build), then the warehouse is copied and rebuilt with `--full-refresh`, and
every incremental model (and every mart) of the two is compared row by row, the bookkeeping
columns aside. Then a config edit makes old sessions files fail their row-count limit: the next
plain build must drop their rows (the config fingerprint rebuilds the incremental models), and
again equal a full refresh.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import yaml
from conftest import subprocess_env

from ecom_elt.paths import REPO_ROOT, DataRoot

pytestmark = pytest.mark.slow

DAYS = 56
START = "2026-08-03"
SEED = 7
SCALE = "0.05"
DBT = Path(sys.executable).with_name("dbt")
# Columns that say when and under which config a row was written, not what it holds.
BOOKKEEPING = {"watermark_batch_id", "processed_at", "staged_at", "config_fingerprint"}
# The facts that end in `order by` their export day (fct_session_orders inherits fct_sessions'
# order, about but not exactly).
DAY_ORDERED = (("marts.fct_sessions", "session_date"), ("marts.fct_order_lines", "order_date"))
BUSINESS_DATE = re.compile(r"_(\d{4}-\d{2}-\d{2})(?:_[A-Za-z0-9-]+)?\.[a-z]+(?:\.gz)?$")


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(
        command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=900, check=False
    )
    if done.returncode != 0:
        tail = (done.stdout[-4000:] + "\n" + done.stderr[-4000:]).strip()
        pytest.fail(f"exited {done.returncode}: {' '.join(command)}\n{tail}")


def _build(env: dict[str, str], *options: str) -> None:
    """Seeds and models (the data tests are not what this test is about)."""
    _run([str(DBT), "build", "--resource-type", "seed", "--resource-type", "model", *options], env)


def _deliver(files: list[Path], generated: Path, raw: Path) -> None:
    for path in files:
        target = raw / path.relative_to(generated)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)


def _incremental_models(target: Path) -> list[str]:
    manifest = json.loads((target / "manifest.json").read_text("utf-8"))
    return sorted(
        f"{node['schema']}.{node['alias']}"
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["config"]["materialized"] == "incremental"
    )


def _differences(incremental: Path, rebuilt: Path, relations: list[str]) -> list[str]:
    """Rows found on one side only (as multisets), per relation; bookkeeping columns aside."""
    problems = []
    with duckdb.connect() as con:
        con.execute(f"attach '{incremental}' as incremental_run (read_only)")
        con.execute(f"attach '{rebuilt}' as full_refresh (read_only)")
        for relation in relations:
            schema, name = relation.split(".")
            columns = [
                row[0]
                for row in con.execute(
                    "select column_name from information_schema.columns "
                    "where table_catalog = 'full_refresh' and table_schema = ? "
                    "and table_name = ? order by ordinal_position",
                    [schema, name],
                ).fetchall()
                if row[0] not in BOOKKEEPING
            ]
            assert columns, f"{relation} is missing from the full refresh"
            listed = ", ".join(f'"{column}"' for column in columns)
            counts = {}
            for side, other in (
                ("incremental_run", "full_refresh"),
                ("full_refresh", "incremental_run"),
            ):
                counts[side] = con.execute(
                    f"select count(*) from (select {listed} from {side}.{relation} "
                    f"except all select {listed} from {other}.{relation})"
                ).fetchone()[0]
            total = con.execute(f"select count(*) from full_refresh.{relation}").fetchone()[0]
            if counts["incremental_run"] or counts["full_refresh"]:
                problems.append(
                    f"{relation}: {counts['incremental_run']} rows only after incremental runs, "
                    f"{counts['full_refresh']} only after a full refresh (of {total})"
                )
    return problems


def _snapshot_and_compare(root: DataRoot, env: dict[str, str], tmp_path: Path, name: str) -> None:
    """Copy the warehouse as the incremental runs left it, rebuild it fully, compare."""
    incremental = tmp_path / f"{name}.duckdb"
    shutil.copy2(root.warehouse, incremental)
    _build(env, "--full-refresh")
    target = Path(env["DBT_TARGET_PATH"])
    models = _incremental_models(target)
    assert {"marts.fct_sessions", "marts.fct_order_lines", "marts.fct_api_requests"} <= set(models)
    with duckdb.connect(str(root.warehouse), read_only=True) as con:
        marts = [
            f"marts.{row[0]}"
            for row in con.execute(
                "select table_name from information_schema.tables "
                "where table_schema = 'marts' order by table_name"
            ).fetchall()
        ]
        for relation in ("marts.fct_sessions", "marts.fct_order_lines", "marts.fct_api_requests"):
            assert con.execute(f"select count(*) from {relation}").fetchone()[0] > 0, relation
        # A full build stores the facts whose late changes rewrite earlier days in day order
        # (what lets the export of one day read only that day's row groups).
        for relation, day in DAY_ORDERED:
            unordered = con.execute(
                f"select count(*) from (select {day} < lag({day}) over (order by rowid) "
                f"as before_previous from {relation}) where before_previous"
            ).fetchone()[0]
            assert unordered == 0, f"{relation}: {unordered} rows stored before an earlier day"
    problems = _differences(incremental, root.warehouse, sorted(set(models) | set(marts)))
    assert not problems, f"{name}:\n" + "\n".join(problems)


def _assert_no_personal_data_in_marts_or_exports(root: DataRoot) -> None:
    """Personal columns (data_schemas.json `personal`) reach the marts and the Parquet exports
    only as salted hashes: no column carries their name, and no hash equals a clear value."""
    with duckdb.connect(str(root.warehouse), read_only=True) as con:
        personal = {
            row[0]
            for row in con.execute(
                "select column_name from quality.cfg_source_columns where is_personal"
            ).fetchall()
        }
        assert {"email", "client_ip"} <= personal, personal
        columns = {
            (row[0], row[1])
            for row in con.execute(
                "select table_name, column_name from information_schema.columns "
                "where table_schema = 'marts'"
            ).fetchall()
        }
        leaked = sorted((table, column) for table, column in columns if column in personal)
        assert not leaked, leaked
        exports = sorted(root.processed.glob("*/**/*.parquet"))
        assert {p.relative_to(root.processed).parts[0] for p in exports} == {
            "sales",
            "sessions",
            "products",
            "api_logs",
            "enriched",
            "joined",
        }
        for export in exports:
            names = {row[0] for row in con.execute(f"describe select * from '{export}'").fetchall()}
            assert not names & personal, (export.name, sorted(names & personal))
        clear = con.execute(
            "select count(*) from marts.dim_users as users "
            "inner join staging.users as staged on users.email_hash = staged.email"
        ).fetchone()[0]
        assert clear == 0


def _day_files(root: DataRoot, mart: str) -> dict[str, tuple[int, int]]:
    """A by-day export's files: the day folder's name -> (modification time in ns, size)."""
    files = root.processed.glob(f"*/{mart}/*=*/data_0.parquet")
    return {path.parent.name: (path.stat().st_mtime_ns, path.stat().st_size) for path in files}


def _replaced_days(log: Path, offset: int, mart: str, day: str) -> list[str]:
    """The days whose export file a build replaced by a plain COPY of the day (the path an
    export takes for changed days stored together): read from dbt's log after `offset`."""
    with log.open("rb") as handle:
        handle.seek(offset)
        text = handle.read().decode("utf-8", errors="replace")
    pattern = rf'from "[^"]+"\."marts"\."{mart}" where {day} = cast\(\'([0-9-]+)\' as date\)'
    return sorted(set(re.findall(pattern, text)))


def _assert_exports_match_marts(root: DataRoot) -> None:
    """Every mart's Parquet export holds exactly the mart's rows: a single file, or a folder of
    one file per day of which incremental runs rewrote only the days that changed."""
    with duckdb.connect(str(root.warehouse), read_only=True) as con:
        marts = [
            row[0]
            for row in con.execute(
                "select table_name from information_schema.tables "
                "where table_schema = 'marts' order by table_name"
            ).fetchall()
        ]
        problems = []
        for mart in marts:
            single = sorted(root.processed.glob(f"*/{mart}.parquet"))
            by_day = sorted(root.processed.glob(f"*/{mart}/*=*/*.parquet"))
            assert bool(single) != bool(by_day), f"{mart}: exported {single} {by_day[:3]}"
            files = [str(path) for path in (single or by_day)]
            if by_day:
                assert all(path.name == "data_0.parquet" for path in by_day), mart
                days = [path.parent.name for path in by_day]
                assert len(days) == len(set(days)), f"{mart}: a day in several files"
            export = f"read_parquet({files!r}, hive_partitioning = false)"
            for first, second in ((export, f"marts.{mart}"), (f"marts.{mart}", export)):
                extra = con.execute(
                    f"select count(*) from (select * from {first} except all "
                    f"select * from {second})"
                ).fetchone()[0]
                if extra:
                    problems.append(f"{mart}: {extra} rows only in {first[:60]}")
        assert not problems, "\n".join(problems)


def test_incremental_runs_equal_a_full_refresh(root: DataRoot, tmp_path: Path) -> None:
    config = tmp_path / "config"
    shutil.copytree(REPO_ROOT / "config", config)
    env = subprocess_env(root, tmp_path)
    env["ECOM_CONFIG_DIR"] = str(config)
    cli = [sys.executable, "-m", "ecom_elt"]

    generated = tmp_path / "generated"
    _run(
        [
            *cli,
            "generate",
            "--data-dir",
            str(generated),
            "--days",
            str(DAYS),
            "--start",
            START,
            "--seed",
            str(SEED),
            "--scale",
            SCALE,
            "--defects",
            "none",
        ],
        env,
    )
    files = sorted(p for p in (generated / "raw").rglob("*") if p.is_file())
    dated = [(BUSINESS_DATE.search(p.name), p) for p in files]
    assert all(match for match, _ in dated), [p.name for match, p in dated if not match]
    days = sorted({match.group(1) for match, _ in dated})
    half = days[len(days) // 2]

    # Two deliveries, two loader batches, two incremental builds.
    _deliver([p for m, p in dated if m.group(1) < half], generated / "raw", root.raw)
    _run([*cli, "load", "--data-dir", str(root.root)], env)
    _build(env)
    first_files = _day_files(root, "fct_sessions")
    log = Path(env["DBT_LOG_PATH"]) / "dbt.log"
    log_offset = log.stat().st_size
    _deliver([p for m, p in dated if m.group(1) >= half], generated / "raw", root.raw)
    _run([*cli, "load", "--data-dir", str(root.root)], env)
    _build(env)
    # Late orders re-judged some sessions of the first half: their day files were rewritten,
    # the other days' files were left alone (and all still match the mart, below).
    second_files = _day_files(root, "fct_sessions")
    rewritten = [day for day, stamp in first_files.items() if second_files.get(day) != stamp]
    assert rewritten and len(rewritten) < len(first_files), (len(first_files), rewritten)
    # fct_sessions is stored in day order, so those files were replaced one day at a time (a
    # plain COPY each), not through the partitioned writer.
    replaced = _replaced_days(log, log_offset, "fct_sessions", "session_date")
    assert replaced == sorted(day.split("=")[1] for day in rewritten), (replaced, rewritten)
    # The second build took the incremental path: rows of the first batch were left alone.
    with duckdb.connect(str(root.warehouse), read_only=True) as con:
        for relation in ("marts.fct_sessions", "marts.fct_api_requests"):
            written = con.execute(
                f"select min(watermark_batch_id), max(watermark_batch_id), "
                f"count(distinct config_fingerprint) from {relation}"
            ).fetchone()
            assert written[0] < written[1] and written[2] == 1, (relation, written)
        runs = con.execute(
            "select count(distinct processed_at) from marts.fct_order_lines"
        ).fetchone()[0]
        assert runs == 2, f"fct_order_lines was written by {runs} run(s), expected 2"
    _assert_exports_match_marts(root)
    _snapshot_and_compare(root, env, tmp_path, "two_batches")
    _assert_no_personal_data_in_marts_or_exports(root)

    # A config edit rejects old sessions files: the next plain build must reflect it.
    with duckdb.connect(str(root.warehouse), read_only=True) as con:
        sessions_before = con.execute("select count(*) from marts.fct_sessions").fetchone()[0]
        limit = con.execute(
            "select cast(median(row_count) as bigint) + 1 from quality.file_status "
            "where source = 'sessions'"
        ).fetchone()[0]
    thresholds_file = config / "quality_thresholds.yaml"
    thresholds = yaml.safe_load(thresholds_file.read_text("utf-8"))
    thresholds["files"]["sources"]["sessions"]["min_rows"] = int(limit)
    thresholds_file.write_text(yaml.safe_dump(thresholds, sort_keys=False), "utf-8")
    _build(env)
    with duckdb.connect(str(root.warehouse), read_only=True) as con:
        rejected = con.execute(
            "select count(*) from quality.file_status "
            "where source = 'sessions' and status = 'rejected'"
        ).fetchone()[0]
        sessions_after = con.execute("select count(*) from marts.fct_sessions").fetchone()[0]
        fingerprints = con.execute(
            "select count(distinct config_fingerprint) from marts.fct_sessions"
        ).fetchone()[0]
    assert rejected > 0, "the edited row-count limit rejected no sessions file"
    assert 0 < sessions_after < sessions_before, (sessions_before, sessions_after)
    assert fingerprints == 1, "rows of the old config survived the edit"
    _assert_exports_match_marts(root)
    _snapshot_and_compare(root, env, tmp_path, "after_config_edit")
