"""The report on a generated dataset with the default defects: generate, load and dbt build once
for the module, then `python -m ecom_elt report` as people run it.

A hostile file name reaches the data twice: a raw file named like an HTML tag (through the
loader), and `<script>alert(1)</script>.csv` written into quality.file_status (a real file name
cannot hold a slash).
"""

from __future__ import annotations

import ipaddress
import json
import re
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import duckdb
import pytest
from conftest import subprocess_env
from openpyxl import load_workbook

from ecom_elt.paths import REPO_ROOT, DataRoot, data_root

HOSTILE_NAME = "<script>alert(1)</script>.csv"
RAW_HOSTILE = "<img src=x onerror=alert(2)>.csv"
EXTERNAL = re.compile(
    r"""(?:src|href|action)\s*=\s*["']?\s*(?:[a-z]+:)?//|url\(\s*["']?\s*(?:[a-z]+:)?//|@import""",
    re.IGNORECASE,
)
ALERT_LINE = re.compile(
    r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ  (OK|INFO|WARN|ERROR) +"
    r"(run|file|model|test|freshness|anomaly) +\S.*  \| look at: \S.*$"
)
PERSONAL = {"email", "first_name", "last_name", "birth_date", "client_ip"}


@dataclass(frozen=True)
class Dataset:
    root: DataRoot
    folder: Path
    env: dict[str, str]

    @property
    def target(self) -> Path:
        return self.folder / "target"


def run_cli(dataset_env: dict[str, str], *args: str, timeout: int = 900):
    return subprocess.run(
        [sys.executable, "-m", "ecom_elt", *args],
        cwd=REPO_ROOT,
        env=dataset_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def build_defect_dataset(folder: Path) -> Dataset:
    """Generate (small, default defects), load and dbt build into a data root under `folder`."""
    root = data_root(folder / "data")
    root.raw.mkdir(parents=True, exist_ok=True)
    env = subprocess_env(root, folder)
    env.pop("ECOM_ALERT_WEBHOOK_URL", None)
    steps = [
        ("generate", "--scale", "0.05", "--days", "56", "--defects", "default"),
        ("load",),
        ("build",),
    ]
    for number, step in enumerate(steps):
        if number == 1:
            (root.raw / RAW_HOSTILE).write_text("user_id,email\nU1,a@b.de\n", encoding="utf-8")
        result = run_cli(env, step[0], "--data-dir", str(root.root), *step[1:])
        # dbt build exits 1 when an error-severity test fails: still a run to report on.
        allowed = (0, 1) if step[0] == "build" else (0,)
        assert result.returncode in allowed, f"{step[0]} failed:\n{result.stderr[-3000:]}"
    assert (folder / "target" / "run_results.json").is_file()
    with duckdb.connect(str(root.warehouse)) as con:
        con.execute(
            """
            update quality.file_status set file_name = ?
            where file_id = (
                select min(file_id) from quality.file_status where status = 'rejected'
            )
            """,
            [HOSTILE_NAME],
        )
    return Dataset(root, folder, env)


_SHARED: dict[str, Dataset] = {}


def shared_defect_dataset(factory: pytest.TempPathFactory) -> Dataset:
    """One generated, loaded and built dataset for this session's report tests (it takes about a
    minute); every test runs the report itself before it reads the outputs."""
    if "dataset" not in _SHARED:
        _SHARED["dataset"] = build_defect_dataset(factory.mktemp("report"))
    return _SHARED["dataset"]


def run_report(dataset: Dataset, *extra: str, env: dict[str, str] | None = None):
    return run_cli(env or dataset.env, "report", "--data-dir", str(dataset.root.root), *extra)


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    built = shared_defect_dataset(tmp_path_factory)
    result = run_report(built)
    assert result.returncode == 0, result.stderr
    return built


def _query(dataset: Dataset, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(dataset.root.warehouse), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def test_report_writes_every_output(dataset: Dataset) -> None:
    quality = dataset.root.quality
    for name in ("quality_alert.txt", "run_summary.json", "dashboard.html"):
        assert (quality / name).is_file(), name
    assert list(quality.glob("validation_report_*.json"))


def test_alert_file_names_every_rejected_file(dataset: Dataset) -> None:
    lines = (dataset.root.quality / "quality_alert.txt").read_text(encoding="utf-8").splitlines()
    assert lines and all(ALERT_LINE.match(line) for line in lines), lines[:3]
    rejected = _query(
        dataset, "select file_name from quality.file_status where status <> 'validated'"
    )
    assert len(rejected) >= 3  # the default defects reject files
    file_lines = [line for line in lines if "  file  " in line]
    for (name,) in rejected:
        assert any(f"file {name} (" in line for line in file_lines), name
    assert any(RAW_HOSTILE in line for line in lines)
    # Errors come before warnings.
    severities = [line.split()[1] for line in lines]
    assert severities == sorted(severities, key=["ERROR", "WARN", "INFO", "OK"].index)


def test_anomaly_alerts_carry_band_baseline_and_change(dataset: Dataset) -> None:
    flagged = _query(dataset, "select metric, source, day from quality.anomalies where is_anomaly")
    text = (dataset.root.quality / "quality_alert.txt").read_text(encoding="utf-8")
    anomaly_lines = [line for line in text.splitlines() if "  anomaly  " in line]
    assert len(anomaly_lines) == len(flagged)
    for line in anomaly_lines:
        assert "expected" in line and "median of the previous" in line and "change" in line
    for _metric, source, day in flagged:
        assert any(f"of {source} on {day.isoformat()}" in line for line in anomaly_lines)


def test_a_validation_report_per_delivered_file_matching_the_quality_schema(
    dataset: Dataset,
) -> None:
    reports = {}
    for path in dataset.root.quality.glob("validation_report_*.json"):
        document = json.loads(path.read_text(encoding="utf-8"))
        reports[document["file_id"]] = document
        assert re.fullmatch(r"validation_report_[A-Za-z0-9._-]+\.json", path.name)
    statuses = dict(_query(dataset, "select file_id, status from quality.file_status"))
    assert set(reports) == set(statuses)
    checks = _query(
        dataset,
        """
        select file_id, check_name, column_name, observed_value, threshold, passed
        from quality.file_checks
        """,
    )
    expected: dict[int, set] = {}
    for file_id, check, column, observed, threshold, passed in checks:
        expected.setdefault(file_id, set()).add(
            (
                check,
                column,
                None if observed is None else round(observed, 6),
                None if threshold is None else round(threshold, 6),
                passed,
            )
        )
    for file_id, document in reports.items():
        assert document["status"] == statuses[file_id]
        got = {
            (c["check"], c["column"], c["observed_value"], c["threshold"], c["passed"])
            for c in document["checks"]
        }
        assert got == expected.get(file_id, set()), document["file"]
        for key in ("file", "source", "file_hash", "business_date", "rows", "completeness"):
            assert key in document
        for rule in document["errors"]["rules"]:
            assert rule["rows"] >= len(rule["examples"]) and len(rule["examples"]) <= 5
        for warning in document["warnings"]["rules"]:
            assert warning["rows"] >= 1
    rejected = [d for d in reports.values() if d["status"] == "rejected"]
    assert any(d["errors"]["rules"] or d["errors"]["loader"] for d in rejected)


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def test_validation_reports_hold_no_personal_data(dataset: Dataset) -> None:
    emails = {
        value
        for (value,) in _query(
            dataset, "select distinct email from raw.users where email like '%@%'"
        )
    }
    addresses = {
        value
        for (value,) in _query(
            dataset, "select distinct client_ip from raw.api_logs where client_ip is not null"
        )
        if _is_ip(value)
    }
    assert emails and addresses
    examples = 0
    texts = {
        path.name: path.read_text(encoding="utf-8")
        for path in dataset.root.quality.glob("validation_report_*.json")
    }
    everything = "\n".join(texts.values())
    leaked = [v for v in emails | addresses if len(v) > 6 and v in everything]
    assert not leaked, [
        (name, value) for value in leaked[:3] for name, text in texts.items() if value in text
    ][:3]
    for text in texts.values():
        document = json.loads(text)
        for rule in document["errors"]["rules"]:
            for example in rule["examples"]:
                record = example.get("record") or {}
                for column in PERSONAL & set(record):
                    value = record[column]
                    assert value is None or re.fullmatch(r"[x9\W_]*", str(value)), (column, value)
                    examples += 1
    assert examples, "no example row with personal columns was checked"


def test_dashboard_is_self_contained_and_escapes_data(dataset: Dataset) -> None:
    html = (dataset.root.quality / "dashboard.html").read_text(encoding="utf-8")
    assert not EXTERNAL.search(html), EXTERNAL.search(html)
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in html
    assert HOSTILE_NAME not in html and RAW_HOSTILE not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;.csv" in html
    assert "&lt;img src=x onerror=alert(2)&gt;.csv" in html
    assert html.count("<script") == 1
    for section in ("files", "completeness", "tests", "anomalies", "timings", "trends"):
        assert f'id="{section}"' in html
    assert html.count("<svg") >= 5


def test_run_summary_is_valid_and_agrees_with_the_warehouse(dataset: Dataset) -> None:
    summary = json.loads((dataset.root.quality / "run_summary.json").read_text(encoding="utf-8"))
    assert summary["exit_code"] == 0 and summary["exit_reason"]
    ((delivered, rejected),) = _query(
        dataset, "select count(*), count(*) filter (status <> 'validated') from quality.file_status"
    )
    assert summary["files"]["delivered"] == delivered
    assert summary["files"]["rejected"] == rejected == len(summary["files"]["rejected_files"])
    results = json.loads((dataset.target / "run_results.json").read_text(encoding="utf-8"))
    assert sum(summary["dbt"]["nodes"].values()) == len(results["results"])
    assert summary["dbt"]["invocation_id"] == results["metadata"]["invocation_id"]
    assert summary["timings"]["report_s"] > 0
    assert summary["outputs"]["validation_reports"] == delivered
    assert summary["webhook"]["enabled"] is False


MARTS = {
    "daily_sales": "marts.agg_daily_sales",
    "daily_orders": "marts.agg_daily_orders",
    "conversion": "marts.agg_daily_conversion",
    "api_health": "marts.agg_api_health_daily",
    "cohorts": "marts.agg_customer_cohorts",
}


def test_business_workbook_matches_the_marts(dataset: Dataset) -> None:
    existing = {
        f"{schema}.{name}"
        for schema, name in _query(
            dataset, "select table_schema, table_name from information_schema.tables"
        )
    }
    built = {sheet: relation for sheet, relation in MARTS.items() if relation in existing}
    if not built:
        pytest.skip("no mart is built yet: the business reports are skipped")
    book = load_workbook(dataset.root.reports / "business_reports.xlsx")
    assert book.sheetnames == list(built)
    for sheet_name, relation in built.items():
        sheet = book[sheet_name]
        ((count,),) = _query(dataset, f"select count(*) from {relation}")
        assert sheet.max_row - 1 == count, sheet_name
        assert sheet.freeze_panes == "A2"
        columns = [c.value for c in sheet[1]]
        types = dict(
            _query(
                dataset,
                "select column_name, data_type from information_schema.columns "
                "where table_schema || '.' || table_name = ?",
                [relation],
            )
        )
        assert columns == list(types)
        csv_lines = (dataset.root.reports / f"{sheet_name}.csv").read_text().splitlines()
        assert len(csv_lines) == count + 1
        if count == 0:
            continue
        for index, column in enumerate(columns):
            cell = sheet.cell(row=2, column=index + 1)
            if cell.value is None:
                continue
            kind = types[column].upper()
            if kind == "DATE":
                assert cell.is_date, (sheet_name, column)
            elif kind.startswith(("DECIMAL", "DOUBLE", "FLOAT", "BIGINT", "INTEGER", "HUGEINT")):
                assert isinstance(cell.value, int | float), (sheet_name, column, cell.value)
            if column.endswith("_eur"):
                assert cell.number_format == "#,##0.00"
            if column.endswith("_rate"):
                assert cell.number_format == "0.00%"


class _Hook(BaseHTTPRequestHandler):
    bodies: list = []  # noqa: RUF012 - one list per test run, filled by the server thread

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Hook.bodies.append(json.loads(body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


def test_second_run_appends_history_and_posts_the_webhook(dataset: Dataset) -> None:
    (before,) = _query(dataset, "select count(*) from quality.run_history")[0]
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        env = {**dataset.env, "ECOM_ALERT_WEBHOOK_URL": f"http://127.0.0.1:{server.server_port}/h"}
        result = run_report(dataset, env=env)
    finally:
        server.shutdown()
        server.server_close()
    assert result.returncode == 0, result.stderr
    (after,) = _query(dataset, "select count(*) from quality.run_history")[0]
    assert after == before + 1
    (body,) = _Hook.bodies
    assert body["alerts"] and {a["severity"] for a in body["alerts"]} <= {"warn", "error"}
    assert body["summary"]["files"]["rejected"] >= 3
    summary = json.loads((dataset.root.quality / "run_summary.json").read_text())
    assert summary["webhook"]["sent"] is True


def test_a_failing_webhook_does_not_fail_the_report(dataset: Dataset) -> None:
    env = {**dataset.env, "ECOM_ALERT_WEBHOOK_URL": "http://127.0.0.1:1/closed"}
    result = run_report(dataset, env=env)
    assert result.returncode == 0, result.stderr
    assert "not delivered" in result.stderr


def test_without_dbt_results_the_report_exits_1_and_says_what_to_do(
    dataset: Dataset, tmp_path: Path
) -> None:
    result = run_report(dataset, "--target-path", str(tmp_path / "nowhere"))
    assert result.returncode == 1
    assert "run_results.json" in result.stderr and "make elt" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_alerts_config_exits_2(dataset: Dataset, tmp_path: Path) -> None:
    config = tmp_path / "config"
    shutil.copytree(REPO_ROOT / "config", config)
    (config / "alerts.yaml").write_text("webhook_url: [not, a, url]\n")
    result = run_report(dataset, env={**dataset.env, "ECOM_CONFIG_DIR": str(config)})
    assert result.returncode == 2
    assert "alerts.yaml" in result.stderr and "webhook_url" in result.stderr


def test_the_report_waits_for_no_one_while_another_step_holds_the_lock(dataset: Dataset) -> None:
    lock = pytest.importorskip("ecom_elt.lock")
    with lock.pipeline_lock(dataset.root, "test"):
        result = run_report(dataset)
    assert result.returncode == 1
    assert "another pipeline step" in result.stderr
