"""The sample-data generator: determinism, the raw data contract, planted defects.

Every file is judged by tests/python/helpers/contract_parser.py, a reader written from the
contract with csv/json/gzip and regular expressions, never by the generator's own code.
"""

from __future__ import annotations

import hashlib
import json
import logging
import statistics
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from helpers.contract_parser import (
    COLUMNS,
    CURRENCIES,
    EXTENSION,
    Dataset,
    ParsedFile,
    completeness,
    cross_source_breaks,
    duplicate_rows,
    parse_name,
    parse_timestamp,
    read_file,
    row_breaks,
)

from ecom_elt.cli import main
from ecom_elt.config import load_business_rules, load_quality_thresholds
from ecom_elt.generator import MANIFEST_NAME, generate
from ecom_elt.paths import DataRoot

SMALL = {"days": 56, "scale": 0.05}
# Orders files need ~25 rows for a bad row to stay under the 5 % quarantine limit.
DEFECT_SCALE = 0.3
TRANSITIONS = {
    "pending": {"paid", "cancelled"},
    "paid": {"shipped"},
    "shipped": {"delivered"},
    "delivered": {"refunded"},
}
FILE_PROBLEMS = (
    "required_column_missing",
    "file_unparseable",
    "file_empty",
    "file_not_utf8",
    "file_wrong_shape",
    "unknown_source",
    "invalid_file_name",
)
STATUS_ORDER = ["pending", "paid", "shipped", "delivered", "refunded", "cancelled"]


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any], Dataset]:
    folder = tmp_path_factory.mktemp("clean")
    generate(folder, seed=7, defects="none", **SMALL)
    manifest = json.loads((folder / MANIFEST_NAME).read_text())
    return folder, manifest, Dataset.read(folder / "raw")


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any], Dataset]:
    folder = tmp_path_factory.mktemp("broken")
    generate(folder, seed=11, defects="default", days=56, scale=DEFECT_SCALE)
    manifest = json.loads((folder / MANIFEST_NAME).read_text())
    return folder, manifest, Dataset.read(folder / "raw")


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# --------------------------------------------------------------------------- command line


def test_cli_writes_raw_files_manifest_and_summary(
    root: DataRoot, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["generate", "--days", "10", "--scale", "0.05", "--defects", "none"])
    assert code == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and "files" in out[0] and "sessions" in out[0] and " s" in out[0]
    assert (root.root / MANIFEST_NAME).is_file()
    assert not list(root.raw.rglob(MANIFEST_NAME)), "the manifest must stay out of raw/"
    assert any(root.raw.rglob("sessions_2026-08-03.csv*"))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--days", "0"], "--days"),
        (["--days", "ten"], "--days"),
        (["--start", "2026-13-01"], "--start"),
        (["--scale", "-1"], "--scale"),
        (["--scale", "abc"], "--scale"),
        (["--defects", "lots"], "--defects"),
        (["--seed", "x"], "--seed"),
    ],
)
def test_cli_rejects_bad_arguments_with_exit_2(
    root: DataRoot, caplog: pytest.LogCaptureFixture, args: list[str], message: str
) -> None:
    with caplog.at_level(logging.ERROR):
        assert main(["generate", *args]) == 2
    assert message in caplog.text
    assert not any(root.raw.iterdir())


def test_clean_empties_raw_first(root: DataRoot) -> None:
    stray = root.raw / "old" / "sessions_2020-01-01.csv"
    stray.parent.mkdir(parents=True)
    stray.write_text("session_id\n")
    assert main(["generate", "--days", "3", "--scale", "0.05", "--clean"]) == 0
    assert not stray.exists()


# --------------------------------------------------------------------------- determinism


def test_same_arguments_give_the_same_bytes(root: DataRoot, tmp_path: Path) -> None:
    generate(root.root, defects="default", **SMALL)
    generate(tmp_path / "again", defects="default", **SMALL)
    first, second = _files(root.root), _files(tmp_path / "again")
    assert sorted(first) == sorted(second)
    differing = [name for name in first if first[name] != second[name]]
    assert not differing, f"{len(differing)} files differ, e.g. {differing[:3]}"
    assert any(name.endswith(".gz") for name in first)

    generate(tmp_path / "other", seed=43, defects="none", days=7, scale=0.05)
    other = _files(tmp_path / "other")
    same = sum(first.get(name) == data for name, data in other.items() if "raw/" in name)
    assert same == 0, "another seed gives other data"


# --------------------------------------------------------------------------- the contract


def test_every_file_follows_the_contract(clean: tuple[Path, dict[str, Any], Dataset]) -> None:
    _, _, data = clean
    assert data.files
    for parsed in data.files:
        match = parse_name(parsed.name)
        assert match, parsed.name
        assert parsed.source in EXTENSION, parsed.name
        assert match["ext"] == EXTENSION[parsed.source]
        assert parsed.ok, f"{parsed.name}: {parsed.problem}"
        assert set(parsed.columns) == set(COLUMNS[parsed.source]), parsed.name
    by_source = Counter(f.source for f in data.files)
    assert set(by_source) == set(EXTENSION)


def test_delivery_habits_vary_as_the_contract_allows(
    clean: tuple[Path, dict[str, Any], Dataset],
) -> None:
    folder, _, data = clean
    raw = folder / "raw"
    api = data.of("api_logs")
    assert sum(f.compressed for f in api) > len(api) / 2, "api logs are usually gzipped"
    assert any(f.compressed for f in data.files if f.source != "api_logs")
    assert any(f.suffix and f.suffix.isdigit() for f in api), "some days hourly"
    assert any(f.suffix is None for f in api), "some days daily"
    folders = {f.path.parent.relative_to(raw).as_posix() for f in data.files}
    assert "." in folders and len(folders) > 2, folders
    orders = [c for f in data.of("sessions") + data.of("users") for c in [tuple(f.columns)]]
    assert len(set(orders)) > 2, "CSV column order varies between files"
    zones = Counter()
    for _, _, row in data.rows("orders"):
        zones["Z" if row["ordered_at"].endswith("Z") else row["ordered_at"][-6:]] += 1
    assert zones["Z"] and len(zones) > 1, zones
    for _, _, row in data.rows("api_logs"):
        assert "." in row["ts"][19:24], row["ts"]


def test_clean_data_breaks_no_rule(clean: tuple[Path, dict[str, Any], Dataset]) -> None:
    _, _, data = clean
    breaks = {
        (parsed.name, number): found
        for source in EXTENSION
        for parsed, number, row in data.rows(source)
        if (found := row_breaks(source, row))
    }
    assert not breaks, list(breaks.items())[:5]
    assert not cross_source_breaks(data)
    thresholds = load_quality_thresholds().files
    for parsed in data.files:
        assert not duplicate_rows(parsed), parsed.name
        for column, share in thresholds[parsed.source].min_completeness.items():
            assert completeness(parsed, column) >= share, (parsed.name, column)
    sessions = Counter(row["session_id"] for _, _, row in data.rows("sessions"))
    assert max(sessions.values()) == 1
    requests = Counter(row["request_id"] for _, _, row in data.rows("api_logs"))
    assert max(requests.values()) == 1


def test_clean_data_holds_together(clean: tuple[Path, dict[str, Any], Dataset]) -> None:
    """Referential integrity, versions and prices, checked from the files alone."""
    _, _, data = clean
    first_user_day: dict[str, date] = {}
    signup: dict[str, datetime] = {}
    for parsed, _, row in data.rows("users"):
        day = first_user_day.get(row["user_id"])
        assert parsed.business_date is not None
        if day is None or parsed.business_date < day:
            first_user_day[row["user_id"]] = parsed.business_date
        signup[row["user_id"]] = parse_timestamp(row["signup_at"])  # type: ignore[assignment]
    sessions = {row["session_id"] for _, _, row in data.rows("sessions")}

    # Products: the whole catalogue every day; history of (updated_at, price).
    catalogues = [frozenset(r["product_id"] for r in f.rows) for f in data.of("products")]
    assert len(set(catalogues)) == 1, "every products file lists the whole catalogue"
    history: dict[str, dict[datetime, float]] = defaultdict(dict)
    for parsed, _, row in data.rows("products"):
        updated = parse_timestamp(row["updated_at"])
        assert parsed.business_date and updated
        assert updated.date() <= parsed.business_date
        history[row["product_id"]][updated] = float(row["price"])
    assert sum(len(v) > 1 for v in history.values()) > len(history) / 3, "prices change"

    versions: dict[str, list[tuple[date, str, datetime, str]]] = defaultdict(list)
    for parsed, _, row in data.rows("orders"):
        assert parsed.business_date
        ordered = parse_timestamp(row["ordered_at"])
        updated = parse_timestamp(row["updated_at"])
        assert ordered and updated and ordered <= updated
        assert updated.date() == parsed.business_date
        user = row["user_id"]
        assert first_user_day[user] <= parsed.business_date, row["order_id"]
        assert signup[user] <= ordered
        assert row["session_id"] is None or row["session_id"] in sessions
        rate = CURRENCIES[row["currency"]]
        for item in row["items"]:
            prices = history[item["product_id"]]
            valid = max((t for t in prices if t <= ordered), default=min(prices))
            assert float(item["unit_price"]) == round(prices[valid] / rate, 2), row["order_id"]
        versions[row["order_id"]].append(
            (parsed.business_date, parsed.name, updated, row["status"])
        )
    assert any(row["session_id"] is None for _, _, row in data.rows("orders"))
    for order, rows in versions.items():
        rows.sort()
        days = [r[0] for r in rows]
        assert len(days) == len(set(days)), f"{order}: one version per file"
        times = [r[2] for r in rows]
        assert times == sorted(times) and len(set(times)) == len(times), order
        statuses = [r[3] for r in rows]
        ranks = [STATUS_ORDER.index(s) for s in statuses]
        assert ranks == sorted(ranks), (order, statuses)
    assert any(len(v) >= 3 for v in versions.values()), "orders are delivered again"

    users_seen = Counter(row["user_id"] for _, _, row in data.rows("users"))
    assert any(n > 1 for n in users_seen.values()), "users are delivered again when they change"


def test_clean_data_behaves_like_a_shop(clean: tuple[Path, dict[str, Any], Dataset]) -> None:
    _, _, data = clean
    sessions = [row for _, _, row in data.rows("sessions")]
    anonymous = sum(row["user_id"] is None for row in sessions) / len(sessions)
    assert 0.4 < anonymous < 0.7
    assert set(Counter(row["device_type"] for row in sessions)) == {"desktop", "mobile", "tablet"}
    assert len(Counter(row["traffic_source"] for row in sessions)) == 6
    per_day: dict[date, int] = Counter()
    for row in sessions:
        started = parse_timestamp(row["started_at"])
        assert started
        per_day[started.date()] += 1
    weekday = statistics.mean(n for d, n in per_day.items() if d.weekday() < 5)
    saturday = statistics.mean(n for d, n in per_day.items() if d.weekday() == 5)
    assert abs(saturday / weekday - 1) > 0.05, "weekends differ"

    orders = {row["order_id"]: row for _, _, row in data.rows("orders")}
    converted = {row["session_id"] for row in orders.values() if row["session_id"]}
    assert 0.015 < len(converted) / len(sessions) < 0.06
    assert {row["currency"] for row in orders.values()} == set(CURRENCIES)
    sizes = Counter(len(row["items"]) for row in orders.values())
    assert set(sizes) <= {1, 2, 3, 4, 5} and sizes[1] > sizes[5]
    assert max(float(i["discount_pct"]) for r in orders.values() for i in r["items"]) <= 0.9
    assert {"cancelled", "delivered"} <= {row["status"] for row in orders.values()}

    calls = [row for _, _, row in data.rows("api_logs")]
    assert 1.7 < len(calls) / len(sessions) < 2.5
    codes = [int(row["status_code"]) for row in calls]
    client = sum(400 <= c < 500 for c in codes) / len(codes)
    server = sum(c >= 500 for c in codes) / len(codes)
    assert 0.01 < client < 0.06 and 0 < server < 0.02
    latency = sorted(float(row["latency_ms"]) for row in calls)
    p50, p95 = latency[len(latency) // 2], latency[int(len(latency) * 0.95)]
    assert p95 > 2.5 * p50, "a heavy tail"
    assert any("{" in row["endpoint"] for row in calls), "endpoints are path templates"


# --------------------------------------------------------------------------- defects


def _defects(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    return manifest["defects"]


def test_manifest_lists_every_file_with_its_hash(
    broken: tuple[Path, dict[str, Any], Dataset],
) -> None:
    folder, manifest, _ = broken
    listed = {f["path"]: f for f in manifest["files"]}
    on_disk = {p.relative_to(folder).as_posix() for p in (folder / "raw").rglob("*") if p.is_file()}
    assert set(listed) == on_disk
    for path, record in listed.items():
        data = (folder / path).read_bytes()
        assert hashlib.sha256(data).hexdigest() == record["sha256"], path
        assert len(data) == record["bytes"]
        if record["role"] == "data":
            parsed = read_file(folder / path)
            assert parsed.ok and len(parsed.rows) == record["rows"], path
    assert manifest["options"]["defects"] == "default"


def test_every_error_and_warn_rule_has_a_planted_row(
    broken: tuple[Path, dict[str, Any], Dataset],
) -> None:
    _, manifest, _ = broken
    planted = {
        d["rule"] for d in _defects(manifest) if d["expected"] in ("row_quarantined", "warning")
    }
    rules = [r for r in load_business_rules().rules if r.severity in ("error", "warn")]
    missing = [r.name for r in rules if r.name not in planted]
    assert not missing
    for defect in _defects(manifest):
        if defect["kind"] in ("row_rule_break", "orphan") and defect["expected"] != "file_rejected":
            rule = next(r for r in rules if r.name == defect["rule"])
            assert defect["expected"] == (
                "row_quarantined" if rule.severity == "error" else "warning"
            )


def test_each_planted_row_breaks_its_rule_at_its_row(
    broken: tuple[Path, dict[str, Any], Dataset],
) -> None:
    _, manifest, data = broken
    rejected = {d["file"] for d in _defects(manifest) if d["expected"] == "file_rejected"}
    cross = cross_source_breaks(data, exclude=rejected)
    by_name = {f.name: f for f in data.files}
    for defect in _defects(manifest):
        if defect["kind"] not in ("row_rule_break", "orphan"):
            continue
        parsed = by_name[defect["file"]]
        assert parsed.ok, defect
        row = parsed.rows[defect["row"] - 1]
        found = row_breaks(parsed.source, row) | cross.get((parsed.name, defect["row"]), set())
        assert defect["rule"] in found, (defect, found)


def test_no_rule_is_broken_unless_planted(broken: tuple[Path, dict[str, Any], Dataset]) -> None:
    _, manifest, data = broken
    rejected = {d["file"] for d in _defects(manifest) if d["expected"] == "file_rejected"}
    planted = {
        (d["file"], d["row"], d["rule"])
        for d in _defects(manifest)
        if d["kind"] in ("row_rule_break", "orphan")
    }
    found: set[tuple[str, int, str]] = set()
    for source in EXTENSION:
        for parsed, number, row in data.rows(source):
            found |= {(parsed.name, number, rule) for rule in row_breaks(source, row)}
    for (name, number), rules in cross_source_breaks(data, exclude=rejected).items():
        found |= {(name, number, rule) for rule in rules}
    assert found == planted


def test_bad_rows_stay_under_the_file_limits(broken: tuple[Path, dict[str, Any], Dataset]) -> None:
    _, manifest, data = broken
    limits = load_quality_thresholds().files
    by_name = {f.name: f for f in data.files}
    errors = Counter(d["file"] for d in _defects(manifest) if d["expected"] == "row_quarantined")
    for name, count in errors.items():
        parsed = by_name[name]
        assert count / len(parsed.rows) < limits[parsed.source].max_quarantined_share, name
        for column, share in limits[parsed.source].min_completeness.items():
            assert completeness(parsed, column) >= share, (name, column)
    for parsed in data.files:
        if parsed.ok and parsed.name not in {
            d["file"] for d in _defects(manifest) if d["expected"] == "file_rejected"
        }:
            share = len(duplicate_rows(parsed)) / len(parsed.rows)
            assert share < limits[parsed.source].max_duplicate_share, parsed.name


def test_file_level_defects_are_in_the_files(broken: tuple[Path, dict[str, Any], Dataset]) -> None:
    folder, manifest, data = broken
    limits = load_quality_thresholds().files
    by_name = {f.name: f for f in data.files}
    kinds = Counter(d["kind"] for d in _defects(manifest))
    for kind in (
        "required_column_missing", "file_unparseable", "file_empty", "file_not_utf8",
        "file_wrong_shape", "unknown_source", "invalid_file_name", "duplicate_file",
        "max_quarantined_share", "min_completeness", "extra_column", "optional_column_missing",
        "duplicate_row", "duplicate_delivery", "orphan", "anomaly",
    ):  # fmt: skip
        assert kinds[kind], f"no {kind} planted"
    assert kinds["file_unparseable"] >= 2, "a broken JSON line and a truncated JSON array"

    for defect in _defects(manifest):
        kind = defect["kind"]
        parsed: ParsedFile | None = by_name.get(defect.get("file", ""))
        if kind in FILE_PROBLEMS:
            assert parsed is not None and parsed.problem == kind, (
                defect,
                parsed and parsed.problem,
            )
            assert defect["expected"] in ("file_rejected", "file_unknown")
        elif kind == "duplicate_file":
            copy = (folder / defect["path"]).read_bytes()
            twins = [f for f in data.files if f.name != defect["file"]
                     and f.path.read_bytes() == copy]  # fmt: skip
            assert twins, defect
        elif kind == "extra_column":
            assert parsed and defect["column"] in parsed.columns
            assert defect["column"] not in COLUMNS[parsed.source]
        elif kind == "optional_column_missing":
            assert parsed and parsed.ok and defect["column"] not in parsed.columns
        elif kind == "min_completeness":
            assert parsed and parsed.ok
            assert parsed.source is not None
            limit = limits[parsed.source].min_completeness[defect["column"]]
            assert completeness(parsed, defect["column"]) < limit
        elif kind == "max_quarantined_share":
            assert parsed and parsed.ok and parsed.source is not None
            bad = sum(bool(row_breaks(parsed.source, row)) for row in parsed.rows)
            assert bad / len(parsed.rows) > limits[parsed.source].max_quarantined_share
        elif kind == "duplicate_row":
            assert parsed and defect["row"] in duplicate_rows(parsed)
            row = parsed.rows[defect["row"] - 1]
            assert row in parsed.rows[: defect["row"] - 1], "an exact copy"
        elif kind == "duplicate_delivery":
            assert parsed and parsed.rows[defect["row"] - 1]["session_id"] == defect["key"]
            earlier = [f for f in data.of("sessions") if f.business_date
                       and parsed.business_date and f.business_date < parsed.business_date
                       and any(r["session_id"] == defect["key"] for r in f.rows)]  # fmt: skip
            assert earlier, defect


def test_anomaly_days_follow_the_cold_start(broken: tuple[Path, dict[str, Any], Dataset]) -> None:
    _, manifest, data = broken
    start = date.fromisoformat(manifest["options"]["start"])
    days = manifest["options"]["days"]
    anomalies = [d for d in _defects(manifest) if d["kind"] == "anomaly"]
    assert {a["metric"] for a in anomalies} == {"row_volume", "api_p95_latency_ms"}
    for anomaly in anomalies:
        index = (date.fromisoformat(anomaly["business_date"]) - start).days
        assert 43 <= index <= days - 4
    weekdays = [date.fromisoformat(a["business_date"]).weekday() for a in anomalies]
    assert len(set(weekdays)) == len(weekdays)

    volume = next(a for a in anomalies if a["metric"] == "row_volume")
    day = date.fromisoformat(volume["business_date"])
    counts: dict[date, int] = Counter()
    for _, _, row in data.rows("sessions"):
        started = parse_timestamp(row["started_at"])
        if started:
            counts[started.date()] += 1
    peers = [counts[day - timedelta(weeks=k)] for k in range(1, 7)]
    assert counts[day] / statistics.median(peers) == pytest.approx(0.4, abs=0.08)

    spike = next(a for a in anomalies if a["metric"] == "api_p95_latency_ms")
    day = date.fromisoformat(spike["business_date"])
    latencies: dict[date, list[float]] = defaultdict(list)
    for _, _, row in data.rows("api_logs"):
        ts = parse_timestamp(row["ts"])
        if ts and row.get("latency_ms") and row["latency_ms"].replace(".", "").isdigit():
            latencies[ts.date()].append(float(row["latency_ms"]))

    def p95(values: list[float]) -> float:
        return sorted(values)[int(len(values) * 0.95)]

    base = statistics.median(p95(latencies[day - timedelta(weeks=k)]) for k in range(1, 7))
    assert p95(latencies[day]) / base == pytest.approx(3.0, rel=0.25)


def test_generated_dates_are_not_in_the_future(
    clean: tuple[Path, dict[str, Any], Dataset],
) -> None:
    _, _, data = clean
    now = datetime.now(UTC)
    for _, _, row in data.rows("orders"):
        ordered = parse_timestamp(row["ordered_at"])
        assert ordered and ordered <= now


def test_heavy_plants_more_of_each_kind(
    tmp_path: Path, broken: tuple[Path, dict[str, Any], Dataset]
) -> None:
    _, default, _ = broken
    generate(tmp_path, seed=11, defects="heavy", days=56, scale=DEFECT_SCALE)
    heavy = json.loads((tmp_path / MANIFEST_NAME).read_text())
    before = Counter(d["kind"] for d in default["defects"])
    after = Counter(d["kind"] for d in heavy["defects"])
    assert all(after[kind] > count for kind, count in before.items()), (before, after)
    assert "api_server_error_rate" in {d.get("metric") for d in heavy["defects"]}
