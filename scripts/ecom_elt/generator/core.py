"""Generate a sample dataset, in five steps.

1. Plan (pure Python, from the seed): volumes per day, anomaly days, how each file is delivered.
2. Build the entities as DuckDB tables with hash-based randomness (no Python loop over rows).
3. Write one file per source and day (per hour for some API days) with COPY, two at a time.
4. Plant the defects the level asks for (rows broken in place, extra broken files).
5. Write the manifest beside raw/: options, every file with its SHA-256, every defect.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

import duckdb

from ecom_elt.generator import (
    api_logs,
    calendar,
    defects,
    orders,
    products,
    sessions,
    users,
)
from ecom_elt.generator.manifest import MANIFEST_NAME, FileRecord, GeneratorManifest
from ecom_elt.generator.options import GeneratorOptions, parse_options
from ecom_elt.generator.plan import FileSpec, Plan, build_plan
from ecom_elt.generator.randomness import install_macros, prepare, reference_variables
from ecom_elt.generator.rows import RowQuery, batch_key
from ecom_elt.generator.writer import FileWriter, WrittenFile, remove_empty_dirs
from ecom_elt.paths import DataRoot, data_root
from ecom_elt.rawdb import duckdb_limits

log = logging.getLogger("ecom_elt.generate")

SOURCE_MODULES: dict[str, ModuleType] = {
    "users": users,
    "products": products,
    "sessions": sessions,
    "orders": orders,
    "api_logs": api_logs,
}


def _connect(root: DataRoot) -> duckdb.DuckDBPyConnection:
    """An in-memory database within `$ECOM_MEMORY_LIMIT`, spilling to `<root>/.duckdb_tmp`
    (as the loader and dbt do)."""
    config = {"threads": max(1, min(os.cpu_count() or 2, 8)), **duckdb_limits(root)}
    con = duckdb.connect(config=config)
    con.execute("set preserve_insertion_order = true")
    return con


# Entities in build order, with the sources whose files can be written once they exist. The API
# requests come right after the sessions they belong to: their files are the largest share of
# the writing, which can then start while users and orders are built.
BUILD_STEPS = (
    ("calendar", calendar.build, ()),
    ("products", products.build, ("products",)),
    ("sessions", sessions.build, ("sessions",)),
    ("api requests", api_logs.build, ("api_logs",)),
    ("users", users.build, ("users",)),
    ("orders", orders.build, ("orders",)),
)
# The builds up to this one have the cores to themselves and run on every DuckDB thread.
PARALLEL_UNTIL = "sessions"
# Rows per file, roughly, per session of the day (users: plus the backfill on the first day).
ROWS_PER_SESSION = {"sessions": 1.0, "api_logs": 2.1, "orders": 0.1, "users": 0.06}
# A file of at most SMALL_FILE_ROWS rows is rendered together with others of its source, up to
# BATCH_ROWS rows and BATCH_FILES files a query; a larger one is a COPY of its own.
SMALL_FILE_ROWS = 50_000
BATCH_ROWS = 200_000
BATCH_FILES = 250


def estimated_rows(spec: FileSpec, plan: Plan) -> float:
    """About how many rows the file gets (only to choose how it is written)."""
    options = plan.options
    if spec.source == "products":
        return options.products
    rows = plan.days[spec.day_index].sessions * ROWS_PER_SESSION[spec.source]
    if spec.source == "users" and spec.day_index == 0:
        rows += options.existing_users
    return rows / 24 if spec.hour is not None else rows


@dataclass
class _Task:
    """Files written together: one large file by a COPY, or small ones by one query."""

    batch: bool
    files: list[tuple[int, FileSpec, RowQuery]] = field(default_factory=list)
    rows: float = 0.0  # estimated


def _tasks(plan: Plan, sources: tuple[str, ...]) -> list[_Task]:
    """The files of `sources` as write tasks, largest first (same source and column layout in
    a batch)."""
    tasks: list[_Task] = []
    open_batches: dict[tuple[object, ...], _Task] = {}
    for position, spec in enumerate(plan.files):
        if spec.source not in sources:
            continue
        rows = SOURCE_MODULES[spec.source].rows(spec, plan)
        size = estimated_rows(spec, plan)
        if size > SMALL_FILE_ROWS or not rows.batchable:
            tasks.append(_Task(False, [(position, spec, rows)], size))
            continue
        key = (spec.source, *batch_key(rows, spec.format))
        task = open_batches.get(key)
        if task is None or len(task.files) >= BATCH_FILES or task.rows + size > BATCH_ROWS:
            task = open_batches[key] = _Task(True)
            tasks.append(task)
        task.files.append((position, spec, rows))
        task.rows += size
    return sorted(tasks, key=lambda t: -t.rows)


def _write(writer: FileWriter, task: _Task) -> list[WrittenFile]:
    if task.batch:
        return writer.write_batch([(spec, rows) for _, spec, rows in task.files])
    return [writer.write(spec, rows) for _, spec, rows in task.files]


def _build_and_write(
    con: duckdb.DuckDBPyConnection, plan: Plan, writer: FileWriter
) -> list[WrittenFile]:
    """Build the entity tables one by one; a source's files are written (two tasks at a time,
    in the background) as soon as its table exists, so writing fills the cores the builds leave
    idle. Results come back in plan order, whatever order they finish in.
    """
    futures: dict[int, tuple[Future[list[WrittenFile]], int]] = {}
    done = [0]
    total = len(plan.files)
    step = max(1, total // 10)

    def progress(future: Future[list[WrittenFile]]) -> None:
        if future.exception() is not None:
            return
        before = done[0]
        done[0] += len(future.result())
        if done[0] // step != before // step or done[0] == total:
            log.info("wrote %d/%d files", done[0], total)

    with ThreadPoolExecutor(max_workers=writer.workers) as pool:
        for label, build, sources in BUILD_STEPS:
            started = time.perf_counter()
            build(con, plan)
            log.info("built %s in %.1f s", label, time.perf_counter() - started)
            if label == PARALLEL_UNTIL:
                # From here on statements run side by side (two writers and the builds), each
                # on its own thread: DuckDB's threads inside one file's query cost 40-70 % more
                # CPU (sort, ordered output) for little gain in wall time.
                con.execute("set threads = 1")
            for task in _tasks(plan, sources):
                future = pool.submit(_write, writer, task)
                future.add_done_callback(progress)
                for index, (position, _, _) in enumerate(task.files):
                    futures[position] = (future, index)
        return [futures[i][0].result()[futures[i][1]] for i in range(total)]


def _sizes(con: duckdb.DuckDBPyConnection, written: list[WrittenFile]) -> dict[str, int]:
    """Entity counts, for the log and the manifest (API requests are counted in the files)."""
    sizes = {}
    for table in ("products", "sessions", "orders", "order_lines"):
        row = con.execute(f"select count(*) from {table}").fetchone()
        sizes[table] = int(row[0]) if row else 0
    api_rows = sum(w.rows for w in written if w.spec.source == "api_logs")
    sizes["api_requests"], sizes["api_bots"] = api_logs.counts(con, api_rows)
    row = con.execute("select count(distinct uid) from user_versions").fetchone()
    sizes["users"] = int(row[0]) if row else 0
    return sizes


def _record(root: Path, written: WrittenFile, role: str = "data") -> FileRecord:
    spec = written.spec
    return FileRecord(
        name=written.path.name,
        path=written.path.relative_to(root).as_posix(),
        source=spec.source,
        business_date=spec.business_date.isoformat(),
        format=spec.format,
        compressed=spec.gzip,
        rows=written.rows,
        bytes=written.size,
        sha256=written.sha256,
        role=role,
    )


def clean_raw(raw: Path) -> int:
    """Empty the landing folder; returns how many files were removed."""
    removed = 0
    if raw.exists():
        for path in sorted(raw.iterdir()):
            if path.is_dir() and not path.is_symlink():
                removed += sum(1 for p in path.rglob("*") if p.is_file())
                shutil.rmtree(path)
            else:
                path.unlink()
                removed += 1
    raw.mkdir(parents=True, exist_ok=True)
    return removed


def generate_with_options(
    root: DataRoot, options: GeneratorOptions, clean: bool = False
) -> GeneratorManifest:
    """Write the dataset for `options` into `root.raw` and the manifest beside it."""
    started = time.perf_counter()
    raw = root.raw
    if clean:
        removed = clean_raw(raw)
        log.info("emptied %s (%d files)", raw, removed)
    raw.mkdir(parents=True, exist_ok=True)
    existing = sum(1 for p in raw.rglob("*") if p.is_file())
    if existing:
        log.warning(
            "%s already holds %d files; same-named files are overwritten, others stay "
            "(use --clean to start from an empty folder)",
            raw,
            existing,
        )
    if options.end > date.today():
        log.warning(
            "the data runs to %s, after today: orders after the load time break "
            "orders_not_in_future",
            options.end,
        )
    plan = build_plan(options)
    variables: dict[str, Any] = {**reference_variables(options.seed), **orders.order_variables()}
    root.root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".generator-", dir=root.root) as tmp:
        scratch = Path(tmp)
        con = _connect(root)
        try:
            install_macros(con)
            prepare(con, variables)
            log.info(
                "generating %d days from %s, seed %d, scale %g, defects %s",
                options.days,
                options.start,
                options.seed,
                options.scale,
                options.defects,
            )
            planted = defects.Planter(plan, root.root)
            plan = planted.plan_delivery_quirks()
            writer = FileWriter(con, variables, raw, scratch, workers=2)
            written = _build_and_write(con, plan, writer)
            sizes = _sizes(con, written)
            written = _drop_empty(written)
            manifest = GeneratorManifest(options=options.as_dict())
            manifest.files = [_record(root.root, w) for w in written]
            planted.plant(writer, written, manifest)
        finally:
            con.close()
    remove_empty_dirs(raw)
    manifest.volumes = {
        **sizes,
        "files": len(manifest.files),
        "rows_per_source": manifest.rows_per_source(),
    }
    manifest.write(root.root / MANIFEST_NAME)
    log.info("finished in %.1f s", time.perf_counter() - started)
    return manifest


def _drop_empty(written: list[WrittenFile]) -> list[WrittenFile]:
    """A file with no rows is not delivered (the contract rejects empty files)."""
    kept = []
    for item in written:
        if item.rows == 0:
            item.path.unlink(missing_ok=True)
            log.debug("no rows for %s: not delivered", item.spec.name)
        else:
            kept.append(item)
    return kept


def generate(
    out_root: Path | str,
    days: int = 90,
    start: date | str = date(2026, 8, 3),
    seed: int = 42,
    scale: float = 1.0,
    defects: str = "default",
    clean: bool = False,
) -> GeneratorManifest:
    """Generate into the data root `out_root` (raw files in `out_root/raw`)."""
    options = parse_options(days, start, seed, scale, defects)
    return generate_with_options(data_root(out_root), options, clean)


__all__ = ["FileSpec", "GeneratorManifest", "GeneratorOptions", "generate", "generate_with_options"]
