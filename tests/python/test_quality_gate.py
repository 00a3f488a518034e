"""The quality gate follows config/: editing a threshold or a rule changes the next run's outcome,
and a malformed config file stops the run naming the file and the key.

Each test writes a small sessions file by hand, loads it with the real loader, and builds with a
bare `dbt build` (as a person would), with $ECOM_CONFIG_DIR pointing at a temporary copy of
config/ that the test edits.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import yaml

from ecom_elt.paths import REPO_ROOT, DataRoot

SESSION_COLUMNS = [
    "session_id", "user_id", "started_at", "ended_at", "device_type", "os", "browser",
    "traffic_source", "campaign", "country_code", "landing_page", "page_views",
    "product_views", "add_to_cart_count",
]  # fmt: skip


def write_sessions(path: Path, rows: int, bad_rows: int) -> None:
    """A sessions CSV of `rows` rows, the first `bad_rows` with page_views = 0 (an error rule)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(SESSION_COLUMNS)
        for i in range(rows):
            writer.writerow([
                f"S{i:06d}", "",
                f"2026-08-03T08:{i % 60:02d}:00Z", f"2026-08-03T09:{i % 60:02d}:00Z",
                "mobile", "ios", "safari", "organic", "", "DE", "/home",
                "0" if i < bad_rows else "3", "1", "0",
            ])  # fmt: skip


@pytest.fixture
def config_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "config"
    shutil.copytree(REPO_ROOT / "config", folder)
    monkeypatch.setenv("ECOM_CONFIG_DIR", str(folder))
    return folder


def edit_yaml(path: Path, edit) -> None:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(document)
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")


def run(args: list[str], config: Path) -> subprocess.CompletedProcess:
    # The `root` fixture has set $ECOM_DATA_DIR, $DBT_TARGET_PATH and $DBT_LOG_PATH.
    env = {**os.environ, "ECOM_CONFIG_DIR": str(config)}
    return subprocess.run(
        args, cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=False, timeout=600
    )


def load(config: Path) -> None:
    result = run([sys.executable, "-m", "ecom_elt", "load"], config)
    assert result.returncode == 0, result.stderr


def dbt_build(config: Path) -> subprocess.CompletedProcess:
    dbt = str(Path(sys.executable).with_name("dbt"))
    select = ["--select", "+int_sessions_validated", "+sessions_quarantine"]
    return run([dbt, "build", *select], config)


def query(root: DataRoot, sql: str) -> list[tuple]:
    with duckdb.connect(str(root.warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_editing_a_threshold_changes_the_next_build(root, config_copy):
    # 1 bad row in 10: a 10% quarantined share, above the default limit of 5%.
    write_sessions(root.raw / "sessions_2026-08-03.csv", rows=10, bad_rows=1)
    load(config_copy)
    assert dbt_build(config_copy).returncode == 0

    status = query(root, "select status, reasons from quality.sessions_file_status")
    assert status[0][0] == "rejected"
    assert any("break an error rule" in reason for reason in status[0][1])
    assert query(root, "select count(*) from intermediate.int_sessions_validated") == [(0,)]

    def allow_fifteen_percent(document):
        document["files"]["sources"]["sessions"]["max_quarantined_share"] = 0.15

    edit_yaml(config_copy / "quality_thresholds.yaml", allow_fifteen_percent)
    assert dbt_build(config_copy).returncode == 0

    assert query(root, "select status from quality.sessions_file_status") == [("validated",)]
    # The rule-breaking row stays quarantined; the other nine reach the later layers.
    assert query(root, "select count(*) from intermediate.int_sessions_validated") == [(9,)]
    check = query(
        root,
        "select observed_value, threshold, passed from quality.sessions_file_checks "
        "where check_name = 'max_quarantined_share'",
    )
    assert check == [(pytest.approx(0.1), pytest.approx(0.15), True)]


def test_editing_a_rule_severity_keeps_the_row(root, config_copy):
    write_sessions(root.raw / "sessions_2026-08-03.csv", rows=40, bad_rows=1)
    load(config_copy)
    assert dbt_build(config_copy).returncode == 0
    assert query(root, "select count(*) from quality.sessions_quarantine") == [(1,)]

    def make_warning(document):
        for rule in document["rules"]:
            if rule["name"] == "sessions_page_views_at_least_one":
                rule["severity"] = "warn"

    edit_yaml(config_copy / "business_rules.yaml", make_warning)
    assert dbt_build(config_copy).returncode == 0
    assert query(root, "select count(*) from quality.sessions_quarantine") == [(0,)]
    assert query(root, "select count(*) from intermediate.int_sessions_validated") == [(40,)]
    assert query(
        root,
        "select severity, count(*) from quality.sessions_row_breaks group by severity",
    ) == [("warn", 1)]


def test_a_malformed_threshold_stops_the_run_naming_file_and_key(root, config_copy):
    write_sessions(root.raw / "sessions_2026-08-03.csv", rows=5, bad_rows=0)
    load(config_copy)

    def break_share(document):
        document["files"]["defaults"]["max_duplicate_share"] = 1.5

    edit_yaml(config_copy / "quality_thresholds.yaml", break_share)

    cli = run([sys.executable, "-m", "ecom_elt", "build"], config_copy)
    assert cli.returncode == 2
    assert "quality_thresholds.yaml" in cli.stderr
    assert "max_duplicate_share" in cli.stderr
    assert "Traceback" not in cli.stderr

    bare = dbt_build(config_copy)
    assert bare.returncode != 0
    assert "quality_thresholds.yaml" in bare.stdout
    assert "max_duplicate_share" in bare.stdout
