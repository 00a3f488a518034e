"""`elt`: the full run — sample data when there is none, load, dbt build, report.

Steps run one after another under one pipeline lock (DuckDB allows a single writer). A rejected
file, a warning or an anomaly is a finding, not a failure: the run exits 0. It exits 1 when a
model or an error-severity test failed (the report is still written), 2 on bad usage or config.
"""

from __future__ import annotations

import argparse
import logging
import time
from collections.abc import Callable
from typing import TypeVar

import duckdb

from ecom_elt import build as build_step
from ecom_elt.cli import EXIT_FAILURE, EXIT_OK
from ecom_elt.paths import DataRoot, data_root

log = logging.getLogger(__name__)
T = TypeVar("T")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", help="data root (default: $ECOM_DATA_DIR or data/)")


def has_raw_files(root: DataRoot) -> bool:
    return root.raw.is_dir() and any(p.is_file() for p in root.raw.rglob("*"))


def ever_loaded(root: DataRoot) -> bool:
    """True when the warehouse's manifest records any delivered file."""
    if not root.warehouse.exists():
        return False
    with duckdb.connect(str(root.warehouse), read_only=True) as con:
        found = con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'raw' and table_name = '_files'"
        ).fetchone()
        if not found or not found[0]:
            return False
        row = con.execute("select count(*) from raw._files").fetchone()
        return bool(row and row[0])


def _step(number: int, total: int, name: str, action: Callable[[], T]) -> T:
    log.info("[%d/%d] %s ...", number, total, name)
    started = time.monotonic()
    result = action()
    log.info("[%d/%d] %s done in %.1f s", number, total, name, time.monotonic() - started)
    return result


def elt(root: DataRoot) -> int:
    """Run every step; returns the exit code."""
    from ecom_elt import load, report
    from ecom_elt.generator import parse_options
    from ecom_elt.generator.core import generate_with_options
    from ecom_elt.lock import pipeline_lock

    with pipeline_lock(root):
        started = time.monotonic()
        if not has_raw_files(root) and not ever_loaded(root):
            _step(
                1,
                4,
                "generate the default sample (raw/ is empty)",
                lambda: generate_with_options(root, parse_options()),
            )
        else:
            log.info("[1/4] generate: skipped, raw/ holds files or data was loaded before")
        summary = _step(2, 4, "load new raw files", lambda: load.load(root))
        log.info("%s", summary.headline())
        build_code = _step(3, 4, "dbt build", lambda: build_step.build(root))
        _step(4, 4, "report", lambda: report.write_reports(root))
        log.info("elt finished in %.1f s", time.monotonic() - started)
    if build_code:
        log.error(
            "dbt build failed: see its output above, target/run_results.json and %s",
            root.quality / "quality_alert.txt",
        )
        return EXIT_FAILURE
    return EXIT_OK


def run(args: argparse.Namespace) -> int:
    return elt(data_root(args.data_dir))
