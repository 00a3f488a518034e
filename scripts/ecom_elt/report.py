"""`report`: after dbt has run, write what people and machines read about the run.

<data root>/quality/: quality_alert.txt, validation_report_<file>.json per delivered file,
run_summary.json and dashboard.html; <data root>/processed/reports/: CSV files and one Excel
workbook from the marts. Exit 0 when the reports are written (rejected files, failed tests and
anomalies are findings in them), 1 when they cannot be (no dbt results, no warehouse), 2 on bad
usage or configuration. The work is in the `ecom_elt.reporting` package.
"""

from __future__ import annotations

import argparse
import logging

from ecom_elt.cli import EXIT_OK, PipelineError
from ecom_elt.lock import pipeline_lock
from ecom_elt.paths import DataRoot, data_root
from ecom_elt.reporting import ReportOutcome, WarehouseError
from ecom_elt.reporting import write_reports as _write_reports
from ecom_elt.reporting.artifacts import ArtifactsError, target_path

log = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", help="data root (default: $ECOM_DATA_DIR or data/)")
    parser.add_argument(
        "--target-path",
        help="dbt's target folder with run_results.json (default: $DBT_TARGET_PATH or target/)",
    )


def write_reports(root: DataRoot, target: str | None = None) -> ReportOutcome:
    """The report step without the lock (for `elt`, which holds it); failures as PipelineError."""
    try:
        return _write_reports(root, target_path(target))
    except (ArtifactsError, WarehouseError) as exc:
        raise PipelineError(str(exc)) from None


def run(args: argparse.Namespace) -> int:
    root = data_root(args.data_dir)
    with pipeline_lock(root, "report"):
        outcome = write_reports(root, args.target_path)
    log.info("%s; alerts in %s", outcome.exit_reason, outcome.alert_file)
    return EXIT_OK
