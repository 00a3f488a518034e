"""`docs`: build the dbt docs site, keep one self-contained copy in the data root, and serve it.

`dbt docs generate --static` writes the usual site (index.html, manifest.json, catalog.json, which
`dbt docs serve` uses) and static_index.html, one file with everything embedded; that file is
copied to <data root>/docs/index.html, to open from disk or attach anywhere. dbt_project.yml turns
off dbt's usage tracker, so neither page makes a network request of its own.

Generating the catalog opens the warehouse, so it runs under the pipeline lock; serving only reads
files and runs after the lock is released. dbt overwrites run_results.json in the target folder
when it generates docs; the build's run_results.json is put back so `report` still reads the
build's results.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import shutil
import tempfile
from pathlib import Path

from ecom_elt.build import check_config, run_dbt
from ecom_elt.cli import EXIT_OK, PipelineError, UsageError
from ecom_elt.lock import pipeline_lock
from ecom_elt.paths import DataRoot, data_root
from ecom_elt.reporting.artifacts import target_path

log = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", help="data root (default: $ECOM_DATA_DIR or data/)")
    parser.add_argument(
        "--target-path", help="dbt's target folder (default: $DBT_TARGET_PATH or target/)"
    )
    parser.add_argument(
        "--serve", action="store_true", help="then serve the site on localhost until Ctrl-C"
    )
    parser.add_argument("--port", type=int, default=8080, help="port for --serve (default 8080)")


def docs_folder(root: DataRoot) -> Path:
    return root.root / "docs"


@contextlib.contextmanager
def _keep_run_results(target: Path):
    """Put the build's run_results.json back after dbt docs generate overwrote it."""
    results = target / "run_results.json"
    with tempfile.TemporaryDirectory() as folder:
        saved = Path(folder) / "run_results.json"
        if results.is_file():
            shutil.copy2(results, saved)
        try:
            yield
        finally:
            if saved.is_file():
                shutil.copy2(saved, results)


def generate(root: DataRoot, target: Path) -> Path:
    """Generate the docs into `target`; return the copy of the static page in the data root."""
    check_config()
    arguments = ["docs", "generate", "--static", "--target-path", str(target)]
    if not root.warehouse.exists():
        # dbt would create an empty warehouse to read its catalog: document the project only.
        log.warning("no warehouse at %s yet: the docs have no column types", root.warehouse)
        arguments.append("--empty-catalog")
    with _keep_run_results(target):
        code = run_dbt(root, arguments)
    if code != 0:
        raise PipelineError(f"dbt docs generate failed (exit code {code}); see dbt's output above")
    static = target / "static_index.html"
    if not static.is_file():
        raise PipelineError(f"dbt docs generate wrote no {static}")
    destination = docs_folder(root) / "index.html"
    destination.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(static, destination)
    log.info("docs site: %s (one self-contained file)", destination)
    return destination


def serve(root: DataRoot, target: Path, port: int) -> int:
    log.info("serving the docs on http://127.0.0.1:%d (Ctrl-C stops)", port)
    arguments = ["docs", "serve", "--host", "127.0.0.1", "--port", str(port), "--no-browser"]
    try:
        return run_dbt(root, [*arguments, "--target-path", str(target)])
    except KeyboardInterrupt:
        return EXIT_OK


def run(args: argparse.Namespace) -> int:
    if not 0 < args.port < 65536:
        raise UsageError(f"--port {args.port}: expected a port number between 1 and 65535")
    root = data_root(args.data_dir)
    target = target_path(args.target_path)
    with pipeline_lock(root, "docs"):
        generate(root, target)
    if args.serve:
        code = serve(root, target, args.port)
        if code not in (0, 130):
            raise PipelineError(f"dbt docs serve stopped with exit code {code}")
    return EXIT_OK
