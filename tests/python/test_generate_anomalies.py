"""The generated data against the anomaly method of ../shared/spec/anomalies.md.

The detector is written here from the spec (same weekday of the previous weeks, median baseline,
mean of MAD and standard deviation as spread with floors, log scale for skewed metrics, a minimum
change in business terms) with the settings read from config/quality_thresholds.yaml, and the
daily metrics are computed from the delivered files with DuckDB, as metrics.md defines them.
The default sample (scale 1, 90 days) must raise no alarm without defects, and every planted
anomaly must be caught with them.
"""

from __future__ import annotations

import json
import math
import statistics
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from ecom_elt.config import AnomalySettings, load_quality_thresholds
from ecom_elt.generator import MANIFEST_NAME, generate

DAYS = 90


def _files(folder: Path, manifest: dict[str, Any], source: str) -> list[str]:
    return [
        str(folder / f["path"])
        for f in manifest["files"]
        if f["source"] == source and f["role"] == "data"
    ]


def daily_metrics(folder: Path) -> dict[tuple[str, str], dict[date, Any]]:
    """(metric, source) -> day -> value (rates as (rate, denominator))."""
    manifest = json.loads((folder / MANIFEST_NAME).read_text())
    con = duckdb.connect()
    utc_day = "(try_cast({} as timestamptz) at time zone 'UTC')::date"
    con.execute(
        "create table sessions as select * from read_csv($files, all_varchar = true, "
        "union_by_name = true, filename = true)",
        {"files": _files(folder, manifest, "sessions")},
    )
    con.execute(
        "create table users as select * from read_csv($files, all_varchar = true, "
        "union_by_name = true, filename = true)",
        {"files": _files(folder, manifest, "users")},
    )
    con.execute(
        "create table orders as select * from read_json($files, format = 'newline_delimited', "
        "columns = {order_id: 'varchar', session_id: 'varchar', ordered_at: 'varchar', "
        "updated_at: 'varchar', status: 'varchar', currency: 'varchar', items: 'json'}, "
        "filename = true)",
        {"files": _files(folder, manifest, "orders")},
    )
    con.execute(
        "create table api as select * from read_json($files, format = 'newline_delimited', "
        "columns = {ts: 'varchar', status_code: 'varchar', latency_ms: 'varchar'}, "
        "filename = true)",
        {"files": _files(folder, manifest, "api_logs")},
    )
    file_day = "regexp_extract(parse_filename(filename), '_([0-9]{4}-[0-9]{2}-[0-9]{2})', 1)::date"
    out: dict[tuple[str, str], dict[date, Any]] = {}
    for source in ("users", "sessions", "orders", "api"):
        rows = con.execute(f"select {file_day}, count(*) from {source} group by 1").fetchall()
        out[("row_volume", "api_logs" if source == "api" else source)] = dict(rows)
    con.execute(
        "create table winners as select * from orders where try_cast(updated_at as timestamptz) "
        "is not null qualify row_number() over (partition by order_id order by "
        "try_cast(updated_at as timestamptz) desc, filename desc) = 1"
    )
    con.execute(
        f"""
        create table recognised as
        select
            order_id,
            session_id,
            {utc_day.format("ordered_at")} as day,
            (select sum(try_cast(x ->> 'quantity' as integer)
                * try_cast(x ->> 'unit_price' as double)
                * (1 - try_cast(x ->> 'discount_pct' as double)))
             from (select unnest(json_extract(items, '$[*]')) as x))
            * case currency when 'EUR' then 1.00 when 'USD' then 0.92 when 'GBP' then 1.17 end
                as net_revenue_eur
        from winners
        where status in ('paid', 'shipped', 'delivered')
        """
    )
    out[("net_revenue_eur", "orders")] = dict(
        con.execute("select day, sum(net_revenue_eur) from recognised group by 1").fetchall()
    )
    conversion = con.execute(
        f"""
        select {utc_day.format("started_at")} as day, count(distinct session_id),
            count(distinct session_id) filter (
                where session_id in (select session_id from recognised))
        from sessions group by 1
        """
    ).fetchall()
    out[("conversion_rate", "sessions")] = {d: (c / n, n) for d, n, c in conversion if d}
    errors = con.execute(
        f"""
        select {utc_day.format("ts")}, count(*),
            count(*) filter (where try_cast(status_code as integer) >= 500)
        from api group by 1
        """
    ).fetchall()
    out[("api_server_error_rate", "api_logs")] = {d: (e / n, n) for d, n, e in errors if d}
    out[("api_p95_latency_ms", "api_logs")] = dict(
        con.execute(
            f"select {utc_day.format('ts')}, "
            "quantile_cont(try_cast(latency_ms as double), 0.95) from api group by 1"
        ).fetchall()
    )
    return {key: {d: v for d, v in series.items() if d is not None} for key, series in out.items()}


def judge(series: dict[date, Any], settings: AnomalySettings) -> list[tuple[date, float]]:
    """Anomalous days (with their z) of one daily series, per anomalies.md."""
    days = sorted(series)
    last = days[-1]
    found = []
    for day in days:
        if settings.settle_days and day > last - timedelta(days=settings.settle_days):
            continue
        history = [
            series[day - timedelta(weeks=k)]
            for k in range(1, settings.baseline_weeks + 1)
            if day - timedelta(weeks=k) in series
        ]
        if len(history) < settings.min_history:
            continue
        value, denominator = series[day] if settings.is_rate else (series[day], None)
        past = [h[0] for h in history] if settings.is_rate else history
        scale = math.log if settings.log_scale else float
        points = [scale(p) for p in past]
        baseline = statistics.median(points)
        mad = statistics.median(abs(p - baseline) for p in points) * 1.4826
        spread = (mad + statistics.stdev(points)) / 2
        plain_baseline = math.exp(baseline) if settings.log_scale else baseline
        floor = (
            math.log1p(settings.min_spread_share)
            if settings.log_scale
            else settings.min_spread_share * abs(baseline)
        )
        spread = max(spread, floor)
        if settings.is_rate and denominator:
            p = plain_baseline
            spread = max(spread, math.sqrt(p * (1 - p) / denominator))
        z = (scale(value) - baseline) / spread if spread else 0.0
        change = value - plain_baseline
        relative = abs(change / plain_baseline) if plain_baseline else math.inf
        big_enough = (
            settings.min_relative_change is None or relative >= settings.min_relative_change
        ) and (settings.min_absolute_change is None or abs(change) >= settings.min_absolute_change)
        direction = settings.direction == "both" or ((settings.direction == "up") == (change > 0))
        if abs(z) >= settings.z_limit and big_enough and direction:
            found.append((day, round(z, 1)))
    return found


@pytest.fixture(scope="module")
def settings() -> dict[str, AnomalySettings]:
    return load_quality_thresholds().anomalies


def test_default_sample_without_defects_raises_no_alarm(
    tmp_path_factory: pytest.TempPathFactory, settings: dict[str, AnomalySettings]
) -> None:
    folder = tmp_path_factory.mktemp("calm")
    generate(folder, days=DAYS, scale=1, defects="none")
    metrics = daily_metrics(folder)
    assert len(metrics) == 8
    alarms = {key: judge(series, settings[key[0]]) for key, series in metrics.items()}
    assert not any(alarms.values()), {k: v for k, v in alarms.items() if v}


def test_every_planted_anomaly_is_caught(
    tmp_path_factory: pytest.TempPathFactory, settings: dict[str, AnomalySettings]
) -> None:
    folder = tmp_path_factory.mktemp("incidents")
    generate(folder, days=DAYS, scale=1, defects="default")
    manifest = json.loads((folder / MANIFEST_NAME).read_text())
    planted = [d for d in manifest["defects"] if d["kind"] == "anomaly"]
    assert len(planted) == 2
    metrics = daily_metrics(folder)
    for anomaly in planted:
        key = (anomaly["metric"], anomaly["source"])
        caught = {day for day, _ in judge(metrics[key], settings[key[0]])}
        assert date.fromisoformat(anomaly["business_date"]) in caught, (anomaly, caught)
