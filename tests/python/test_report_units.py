"""The report's parts on small hand-made inputs: dbt artifacts, masking, alerts config, webhook
(on a loopback server), business workbook, dashboard escaping. The end-to-end run on generated
data is in test_report.py."""

from __future__ import annotations

import json
import re
import threading
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

import duckdb
import pytest
from openpyxl import load_workbook

from ecom_elt.config import AlertsConfig, ConfigError, load_alerts_config
from ecom_elt.reporting import artifacts, business, charts, validation, webhook
from ecom_elt.reporting.alerts import Alert, build_alerts
from ecom_elt.reporting.dashboard import DashboardInput, render_dashboard
from ecom_elt.reporting.quality import (
    Anomaly,
    DeliveredFile,
    FileCheck,
    QualitySnapshot,
    RuleBreaks,
)

HOSTILE = "<script>alert(1)</script>.csv"
EXTERNAL = re.compile(
    r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?\s*(?:https?:)?//|@import""", re.I
)


# --------------------------------------------------------------------------- dbt artifacts


def _write_artifacts(target: Path, which: str = "build") -> None:
    target.mkdir(parents=True, exist_ok=True)
    timing = [
        {
            "name": "execute",
            "started_at": "2026-09-01T10:00:00Z",
            "completed_at": "2026-09-01T10:00:01Z",
        }
    ]
    results = [
        {
            "unique_id": "model.ecommerce.orders",
            "status": "success",
            "execution_time": 1.5,
            "failures": None,
            "message": "OK",
            "timing": timing,
        },
        {
            "unique_id": "model.ecommerce.fct_orders",
            "status": "error",
            "execution_time": 0.2,
            "failures": None,
            "message": "Binder Error: column x not found",
            "timing": [],
        },
        {
            "unique_id": "test.ecommerce.not_null_orders_order_id.1",
            "status": "fail",
            "execution_time": 0.1,
            "failures": 3,
            "message": "Got 3 results, configured to fail if != 0",
            "timing": timing,
        },
        {
            "unique_id": "test.ecommerce.orders_files_ok.2",
            "status": "warn",
            "execution_time": 0.1,
            "failures": -4,
            "message": "Got -4 results, configured to warn if !=0",
            "timing": timing,
        },
        {
            "unique_id": "unit_test.ecommerce.orders.dedup_keeps_latest",
            "status": "pass",
            "execution_time": 0.3,
            "failures": 0,
            "message": None,
            "timing": timing,
        },
        {
            "unique_id": "model.ecommerce.agg_daily_orders",
            "status": "skipped",
            "execution_time": 0,
            "failures": None,
            "message": "SKIP",
            "timing": [],
        },
    ]
    manifest = {
        "nodes": {
            "model.ecommerce.orders": {
                "resource_type": "model",
                "name": "orders",
                "schema": "staging",
                "alias": "orders",
            },
            "model.ecommerce.fct_orders": {
                "resource_type": "model",
                "name": "fct_orders",
                "schema": "marts",
                "alias": "fct_orders",
            },
            "model.ecommerce.agg_daily_orders": {
                "resource_type": "model",
                "name": "agg_daily_orders",
                "schema": "marts",
            },
            "test.ecommerce.not_null_orders_order_id.1": {
                "resource_type": "test",
                "name": "not_null_orders_order_id",
                "attached_node": "model.ecommerce.orders",
                "column_name": "order_id",
                "test_metadata": {
                    "name": "not_null",
                    "kwargs": {
                        "column_name": "order_id",
                        "model": "{{ get_where_subquery(ref('orders')) }}",
                    },
                },
                "description": "every order has an id",
                "config": {"severity": "ERROR"},
            },
            "test.ecommerce.orders_files_ok.2": {
                "resource_type": "test",
                "name": "orders_files_ok",
                "attached_node": "model.ecommerce.orders",
                "column_name": None,
                "test_metadata": {
                    "name": "quality_checks_hold",
                    "kwargs": {"check_name": "max_duplicate_share"},
                },
                "relation_name": '"warehouse"."quality"."orders_files_ok"',
                "config": {"severity": "ERROR"},
            },
        },
        "unit_tests": {
            "unit_test.ecommerce.orders.dedup_keeps_latest": {
                "resource_type": "unit_test",
                "name": "dedup_keeps_latest",
                "depends_on": {"nodes": ["model.ecommerce.orders"]},
            }
        },
    }
    (target / "run_results.json").write_text(
        json.dumps(
            {
                "metadata": {
                    "invocation_id": "abc",
                    "generated_at": "2026-09-01T10:00:05Z",
                    "dbt_version": "1.11.16",
                },
                "elapsed_time": 5.0,
                "args": {"which": which},
                "results": results,
            }
        )
    )
    (target / "manifest.json").write_text(json.dumps(manifest))


def test_run_results_join_the_manifest(tmp_path: Path) -> None:
    _write_artifacts(tmp_path)
    run = artifacts.read_dbt_run(tmp_path)
    by_name = {r.name: r for r in run.results}
    not_null = by_name["not_null_orders_order_id"]
    assert (not_null.model, not_null.model_relation, not_null.column) == (
        "orders",
        "staging.orders",
        "order_id",
    )
    assert not_null.failures == 3 and not_null.description == "every order has an id"
    assert not_null.test_name == "not_null"
    # A severity-from-config fail_calc reports warn-level counts as negative numbers.
    warned = by_name["orders_files_ok"]
    assert warned.failures == 4 and "4 failing rows at warn level" in warned.message
    assert warned.failures_relation == "quality.orders_files_ok"
    assert warned.arguments == "check_name=max_duplicate_share"
    assert by_name["dedup_keeps_latest"].model == "orders"
    assert run.status_counts(run.tests) == {"fail": 1, "pass": 1, "warn": 1}


def test_alerts_name_failed_tests_models_and_skips(tmp_path: Path) -> None:
    _write_artifacts(tmp_path)
    run = artifacts.read_dbt_run(tmp_path)
    alerts = build_alerts(run, QualitySnapshot([], [], [], []), {})
    text = "\n".join(a.line(datetime(2026, 9, 1, tzinfo=UTC)) for a in alerts)
    assert "not_null_orders_order_id" in text and "staging.orders.order_id" in text
    assert "fct_orders failed to build: Binder Error" in text
    assert "skipped" in text
    assert [a.severity for a in alerts] == sorted(
        (a.severity for a in alerts), key=lambda s: {"error": 0, "warn": 1}.get(s, 2)
    )


def test_missing_or_foreign_run_results_say_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(artifacts.ArtifactsError, match="make elt"):
        artifacts.read_dbt_run(tmp_path)
    _write_artifacts(tmp_path, which="generate")
    with pytest.raises(artifacts.ArtifactsError, match="dbt generate"):
        artifacts.read_dbt_run(tmp_path)
    (tmp_path / "run_results.json").write_text("{not json")
    with pytest.raises(artifacts.ArtifactsError, match="not valid JSON"):
        artifacts.read_dbt_run(tmp_path)


def test_target_path_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "env"))
    assert artifacts.target_path(str(tmp_path / "cli")) == tmp_path / "cli"
    assert artifacts.target_path() == tmp_path / "env"
    monkeypatch.delenv("DBT_TARGET_PATH")
    assert artifacts.target_path().name == "target"


# --------------------------------------------------------------------------- masking, names


def test_personal_values_are_masked_keeping_their_shape() -> None:
    assert validation.mask_value("ann.lee@mail.com") == "xxx.xxx@xxxx.xxx"
    assert validation.mask_value("1990-01-02") == "9999-99-99"
    assert validation.mask_value(None) is None
    record = {"email": "a@b.de", "city": "Berlin", "client_ip": "10.1.2.3"}
    masked = validation.mask_record(record, frozenset({"email", "client_ip"}))
    assert masked == {"email": "x@x.xx", "city": "Berlin", "client_ip": "99.9.9.9"}
    scrubbed = validation.scrub_text("line 4: U1,ann@mail.com,10.0.0.1 at 2026-08-03T08:00:00Z")
    assert "ann@mail.com" not in scrubbed and "10.0.0.1" not in scrubbed
    assert "08:00:00" in scrubbed  # times are not addresses


def test_report_file_names_are_safe_and_unique() -> None:
    assert validation.safe_file_name(HOSTILE) == "script_alert_1_script_.csv"
    assert validation.safe_file_name("../../etc/passwd") == "etc_passwd"
    files = [_file(1, "orders_2026-08-03.jsonl"), _file(2, "orders_2026-08-03.jsonl")]
    names = validation.report_names(files)
    assert len(set(names.values())) == 2
    assert all(n.startswith("validation_report_") and "/" not in n for n in names.values())


# --------------------------------------------------------------------------- alerts config


def test_alerts_config_defaults_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ECOM_ALERT_WEBHOOK_URL", raising=False)
    config = load_alerts_config()
    assert config.webhook_url is None and config.min_severity in ("info", "warn", "error")


def test_alerts_config_env_overrides_and_validates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "alerts.yaml"
    path.write_text("webhook_url: null\ntimeout_seconds: 3\nmin_severity: error\n")
    monkeypatch.setenv("ECOM_ALERT_WEBHOOK_URL", "http://127.0.0.1:9/hook")
    assert load_alerts_config(path).webhook_url == "http://127.0.0.1:9/hook"
    monkeypatch.setenv("ECOM_ALERT_WEBHOOK_URL", "ftp://example")
    with pytest.raises(ConfigError, match="ECOM_ALERT_WEBHOOK_URL"):
        load_alerts_config(path)
    monkeypatch.delenv("ECOM_ALERT_WEBHOOK_URL")
    for body, key in (
        ("webhook_url: 12\n", "webhook_url"),
        ("min_severity: loud\n", "min_severity"),
        ("timeout_seconds: 0\n", "timeout_seconds"),
        ("hook: x\n", "unknown settings"),
    ):
        path.write_text(body)
        with pytest.raises(ConfigError, match=key) as caught:
            load_alerts_config(path)
        assert str(path) in str(caught.value)


# --------------------------------------------------------------------------- webhook


class _Hook(BaseHTTPRequestHandler):
    received: ClassVar[list[dict]] = []
    answer: ClassVar[int] = 200

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        _Hook.received.append(
            {"type": self.headers["Content-Type"], "body": json.loads(self.rfile.read(length))}
        )
        self.send_response(_Hook.answer)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def hook_url():
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Hook.received, _Hook.answer = [], 200
    yield f"http://127.0.0.1:{server.server_address[1]}/alerts"
    server.shutdown()
    server.server_close()


ALERTS = [
    Alert("error", "file", "file x.csv rejected", "quality.file_status"),
    Alert("warn", "anomaly", "row volume dropped", "quality.anomalies"),
]


def test_webhook_posts_alerts_at_or_above_min_severity(hook_url: str) -> None:
    config = AlertsConfig(Path("alerts.yaml"), hook_url, 5, "error")
    result = webhook.post_alerts(config, ALERTS, {"exit_reason": "x"})
    assert result.sent and result.http_status == 200 and result.alerts_sent == 1
    (request,) = _Hook.received
    assert request["type"] == "application/json"
    assert request["body"]["summary"] == {"exit_reason": "x"}
    assert [a["severity"] for a in request["body"]["alerts"]] == ["error"]


def test_webhook_failure_is_a_warning_not_an_error(
    hook_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    _Hook.answer = 500
    config = AlertsConfig(Path("alerts.yaml"), hook_url, 5, "warn")
    result = webhook.post_alerts(config, ALERTS, {})
    assert not result.sent and result.http_status == 500
    closed = AlertsConfig(Path("alerts.yaml"), "http://127.0.0.1:1/none", 2, "warn")
    assert not webhook.post_alerts(closed, ALERTS, {}).sent
    assert "not delivered" in caplog.text
    assert "/alerts" not in caplog.text  # the URL (it may hold a token) is not logged


def test_webhook_off_or_nothing_to_send(hook_url: str) -> None:
    off = AlertsConfig(Path("alerts.yaml"), None, 5, "warn")
    assert webhook.post_alerts(off, ALERTS, {}) == webhook.WebhookResult(False, False)
    quiet = AlertsConfig(Path("alerts.yaml"), hook_url, 5, "error")
    assert not webhook.post_alerts(quiet, ALERTS[1:], {}).sent
    assert _Hook.received == []


# --------------------------------------------------------------------------- business reports


def test_workbook_has_typed_formatted_sheets(tmp_path: Path) -> None:
    con = duckdb.connect()
    con.execute("create schema marts")
    con.execute(
        """
        create table marts.agg_daily_orders as
        select
            date '2026-08-03' + cast(i as integer) as order_date,
            cast(10 + i as bigint) as orders_placed,
            cast(8 + i as bigint) as orders_recognised,
            cast(1234.5 + i as decimal(18, 2)) as net_revenue_eur,
            cast(1234.5 + i as double) / (8 + i) as avg_order_value_eur
        from range(5) as t(i)
        """
    )
    con.execute(
        """
        create table marts.agg_customer_cohorts as
        select date '2026-08-01' as cohort_month, 0 as months_since_first,
            20 as cohort_size, 20 as active_customers, 1.0 as retention_rate
        """
    )
    outcome = business.write_business_reports(con, tmp_path)
    assert set(outcome.skipped) == {"daily_sales", "conversion", "api_health"}
    assert outcome.row_counts == {"daily_orders": 5, "cohorts": 1}
    book = load_workbook(outcome.workbook)
    assert book.sheetnames == ["daily_orders", "cohorts"]
    sheet = book["daily_orders"]
    assert sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[1]] == [
        "order_date",
        "orders_placed",
        "orders_recognised",
        "net_revenue_eur",
        "avg_order_value_eur",
    ]
    first = sheet[2]
    assert first[0].is_date and first[0].value.date() == date(2026, 8, 3)
    assert isinstance(first[1].value, int) and first[1].number_format == "#,##0"
    assert isinstance(first[3].value, float) and first[3].number_format == "#,##0.00"
    assert book["cohorts"]["E2"].number_format == "0.00%"
    assert book["cohorts"]["A2"].number_format == "yyyy-mm"
    csv_text = (tmp_path / "daily_orders.csv").read_text().splitlines()
    assert csv_text[0].startswith("order_date,") and csv_text[1].startswith("2026-08-03,")
    assert len(csv_text) == 6


# --------------------------------------------------------------------------- dashboard


def _file(file_id: int, name: str, status: str = "validated") -> DeliveredFile:
    return DeliveredFile(
        file_id=file_id,
        file_name=name,
        source="users",
        business_date=date(2026, 8, 3),
        file_hash="h",
        file_path=f"raw/{name}",
        load_outcome="loaded",
        row_count=10,
        status=status,
        reasons=() if status == "validated" else (f"bad <b>{name}</b>",),
        failed_checks=(),
        batch_id=1,
        loaded_at=None,
    )


def _snapshot() -> QualitySnapshot:
    hostile = _file(7, HOSTILE, "rejected")
    hostile.checks = [FileCheck("structure", None, None, None, None, None, False, "error", "x")]
    hostile.errors = [RuleBreaks("users_email_format", "email", "error", "<i>bad</i>", 2)]
    hostile.completeness = {"email": (9, 10), "<col>": (10, 10)}
    days = [
        Anomaly(
            "row_volume",
            "users",
            date(2026, 8, d),
            v,
            None,
            100.0 if d > 10 else None,
            None,
            80.0 if d > 10 else None,
            120.0 if d > 10 else None,
            None,
            2 if d > 10 else 0,
            "anomaly" if d == 20 else "ok",
            "median of ...",
            d == 20,
        )
        for d, v in zip(range(3, 25), [100.0] * 17 + [10.0] + [None] + [100.0] * 3, strict=True)
    ]
    return QualitySnapshot([_file(1, "users_2026-08-03.csv"), hostile], days, [], [])


def test_dashboard_escapes_data_and_loads_nothing(tmp_path: Path) -> None:
    _write_artifacts(tmp_path)
    run = artifacts.read_dbt_run(tmp_path)
    snapshot = _snapshot()
    names = validation.report_names(snapshot.files)
    html = render_dashboard(
        DashboardInput(
            datetime(2026, 9, 1, tzinfo=UTC),
            tmp_path,
            run,
            snapshot,
            build_alerts(run, snapshot, names),
            names,
            [
                {
                    "run_at": datetime(2026, 9, 1),
                    "files_rejected": 1,
                    "tests_fail": 1,
                    "anomalies": 1,
                    "rows_delivered": 20,
                    "rows_quarantined": 2,
                    "dbt_elapsed_s": 5.0,
                    "report_s": 1.0,
                }
            ],
            {"written": {}, "skipped": {"cohorts": "<missing>"}},
        )
    )
    assert HOSTILE not in html and "<b>" not in html and "<i>bad" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;.csv" in html
    assert html.count("<script>") == 1  # ours, allowed by its hash in the CSP
    assert not EXTERNAL.search(html)
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    assert "<svg" in html and "pt-anomaly" in html


def test_anomaly_chart_survives_gaps_and_missing_bands() -> None:
    chart = charts.anomaly_chart("row_volume", "users", _snapshot().anomalies)
    assert chart.flagged == 1 and len(chart.lines[0].paths) == 2 and chart.bands
    empty = charts.anomaly_chart("net_revenue_eur", "orders", [])
    assert empty.lines == [] and empty.subtitle == "no days"
