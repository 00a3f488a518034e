"""`build`: run `dbt build` on the loaded warehouse, after checking the configuration.

dbt runs in a child process from the repository root (where dbt_project.yml and profiles.yml
are), with $ECOM_DATA_DIR pointing at the data root, so the profile finds the warehouse.
The pipeline's build leaves out dbt's unit tests, as dbt advises for production runs: they test
the SQL's logic on fixed inputs, not the data, and `make test` (and a bare `dbt build`) runs them.
"""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

from ecom_elt.cli import PipelineError, UsageError
from ecom_elt.config import load_business_rules, load_data_schemas, load_quality_thresholds
from ecom_elt.memory import budget_bytes
from ecom_elt.paths import REPO_ROOT, DataRoot, data_root

log = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", help="data root (default: $ECOM_DATA_DIR or data/)")
    parser.add_argument(
        "--unit-tests", action="store_true", help="also run dbt's unit tests (make test does)"
    )
    parser.add_argument(
        "dbt_args",
        nargs=argparse.REMAINDER,
        help="extra arguments for dbt build, after `--` (e.g. -- --select sessions+)",
    )


def check_config() -> None:
    """Fail fast, with the file and key, on a malformed configuration (dbt would fail later)."""
    schemas = load_data_schemas()
    load_business_rules(schemas=schemas)
    load_quality_thresholds(schemas=schemas)
    budget_bytes()  # ECOM_MEMORY_LIMIT, which profiles.yml turns into DuckDB's memory limit


def dbt_executable() -> str:
    """The dbt of this virtual environment (beside the running Python), else dbt on PATH."""
    beside = Path(sys.executable).with_name("dbt")
    return str(beside) if beside.exists() else "dbt"


def dbt_env(root: DataRoot) -> dict[str, str]:
    return {**os.environ, "ECOM_DATA_DIR": str(root.root)}


def run_dbt(root: DataRoot, arguments: list[str]) -> int:
    """Run one dbt command against the data root; its output goes straight to the terminal."""
    command = [dbt_executable(), *arguments]
    log.debug("running %s", " ".join(command))
    try:
        return subprocess.run(command, cwd=REPO_ROOT, env=dbt_env(root), check=False).returncode
    except FileNotFoundError:
        raise PipelineError("dbt is not installed: run `make install`") from None


def build(root: DataRoot, extra_args: list[str] | None = None, unit_tests: bool = False) -> int:
    """`dbt build` (models, seeds, snapshots, data tests); returns dbt's exit code.

    dbt exits 1 when a model fails or an error-severity test fails; warnings keep it at 0.
    """
    check_config()
    if not root.warehouse.exists():
        raise UsageError(
            f"no warehouse at {root.warehouse}: load data first (`make load`, or `make elt`)"
        )
    root.processed.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    skip = [] if unit_tests else ["--exclude-resource-type", "unit_test"]
    code = run_dbt(root, ["build", *skip, *(extra_args or [])])
    log.info("dbt build finished in %.1f s with exit code %d", time.monotonic() - started, code)
    return code


def run(args: argparse.Namespace) -> int:
    from ecom_elt.lock import pipeline_lock

    root = data_root(args.data_dir)
    extra = [a for a in args.dbt_args if a != "--"]
    with pipeline_lock(root):
        code = build(root, extra, unit_tests=args.unit_tests)
    if code != 0:
        raise PipelineError(
            "dbt build failed: a model or an error-severity test failed "
            "(see dbt's output above and target/run_results.json)"
        )
    return 0
