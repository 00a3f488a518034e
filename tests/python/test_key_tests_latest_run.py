"""Key and relationship tests given `written_at` check the rows the latest run wrote: they catch a
key repeated by those rows, in a table (against every stored row) and in a view (among the latest
run's rows), and a value of those rows missing from the parent; they leave an older repeat or
orphan to `--vars '{data_tests_all_rows: true}'`, which checks every row.

A small generated delivery is loaded and built once; each case then plants a repeated row in the
warehouse with DuckDB and runs `dbt test` on the tests concerned.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from conftest import subprocess_env

from ecom_elt.paths import REPO_ROOT, DataRoot

pytestmark = pytest.mark.slow

DBT = Path(sys.executable).with_name("dbt")
FACT_KEY = "primary_key_fct_sessions_session_id"
STAGED_GRAIN = "staging_sessions_one_row_per_delivered_row"
VIEW_GRAIN = "int_sessions_measured_one_row_per_delivered_row"
KEY_TESTS = (FACT_KEY, STAGED_GRAIN, VIEW_GRAIN)
RELATIONSHIP = "relationships_fct_session_orders_session_id__session_id__ref_fct_sessions_"
ALL_ROWS = ("--vars", "{data_tests_all_rows: true}")
# A result line of dbt: "3 of 4 FAIL 1 <test> ....", "4 of 4 PASS <test> ...."
RESULT = re.compile(r"\d+ of \d+ (PASS|FAIL \d+|WARN \d+|ERROR) (\S+) ")


def _run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=900, check=False
    )


def _dbt_test(
    env: dict[str, str], *options: str, tests: tuple[str, ...] = KEY_TESTS
) -> dict[str, str]:
    """Status (PASS, FAIL, ...) of each test after `dbt test` on them."""
    done = _run([str(DBT), "test", "--select", *tests, *options], env)
    statuses = {
        match.group(2): match.group(1).split()[0]
        for match in RESULT.finditer(done.stdout)
        if match.group(2) in tests
    }
    assert len(statuses) == len(tests), done.stdout[-3000:] + done.stderr[-2000:]
    return statuses


def _copy_one_row(con: duckdb.DuckDBPyConnection, relation: str, column: str) -> None:
    """Insert a copy of one row of `relation` that the latest run wrote (`column` at its latest
    value); a staged row is taken from a validated file, so it reaches the views too."""
    clean = (
        " and not is_duplicate_in_file and len(rule_breaks) = 0 and file_id in "
        "(select file_id from quality.file_status where status = 'validated')"
        if relation.startswith("staging.")
        else ""
    )
    con.execute(
        f"insert into {relation} select * from {relation} "
        f"where {column} = (select max({column}) from {relation}){clean} limit 1"
    )


def test_key_and_relationship_tests_check_the_rows_the_latest_run_wrote(
    root: DataRoot, tmp_path: Path
) -> None:
    env = subprocess_env(root, tmp_path)
    cli = [sys.executable, "-m", "ecom_elt"]
    for step in (
        [*cli, "generate", "--days", "4", "--scale", "0.05", "--defects", "none", "--seed", "5"],
        [*cli, "load"],
        [str(DBT), "build", "--exclude", "resource_type:unit_test"],
    ):
        done = _run(step, env)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]

    assert set(_dbt_test(env).values()) == {"PASS"}

    # A repeated session written by the latest run: the fact's key test fails.
    with duckdb.connect(str(root.warehouse)) as con:
        _copy_one_row(con, "marts.fct_sessions", "processed_at")
    statuses = _dbt_test(env)
    assert statuses[FACT_KEY] == "FAIL", statuses

    # The same repeat, as if an earlier run had written both rows: only a check of every row
    # sees it (every key was checked when its rows were written).
    with duckdb.connect(str(root.warehouse)) as con:
        con.execute(
            "update marts.fct_sessions set processed_at = timestamp '2001-01-01' "
            "where session_id in (select session_id from marts.fct_sessions "
            "group by session_id having count(*) > 1)"
        )
    assert _dbt_test(env)[FACT_KEY] == "PASS"
    assert _dbt_test(env, *ALL_ROWS)[FACT_KEY] == "FAIL"

    # A joined row written by the latest run whose session is not in fct_sessions: the
    # relationship test fails; written by an earlier run, only a check of every row sees it.
    relationship = (RELATIONSHIP,)
    assert _dbt_test(env, tests=relationship)[RELATIONSHIP] == "PASS"
    with duckdb.connect(str(root.warehouse)) as con:
        con.execute(
            "update marts.fct_session_orders set session_id = 'S-NEVER-DELIVERED' "
            "where session_order_id = (select min(session_order_id) from marts.fct_session_orders "
            "where processed_at = (select max(processed_at) from marts.fct_session_orders))"
        )
    assert _dbt_test(env, tests=relationship)[RELATIONSHIP] == "FAIL"
    with duckdb.connect(str(root.warehouse)) as con:
        con.execute(
            "update marts.fct_session_orders set processed_at = timestamp '2001-01-01' "
            "where session_id = 'S-NEVER-DELIVERED'"
        )
    assert _dbt_test(env, tests=relationship)[RELATIONSHIP] == "PASS"
    assert _dbt_test(env, *ALL_ROWS, tests=relationship)[RELATIONSHIP] == "FAIL"

    # A staged row repeated by the latest staging run: the staged table's grain test fails, and
    # so does the view over it, which compares the latest run's rows among themselves.
    with duckdb.connect(str(root.warehouse)) as con:
        con.execute("delete from marts.fct_sessions where processed_at = timestamp '2001-01-01'")
        _copy_one_row(con, "staging.sessions", "staged_at")
    statuses = _dbt_test(env)
    assert statuses == {FACT_KEY: "PASS", STAGED_GRAIN: "FAIL", VIEW_GRAIN: "FAIL"}, statuses
