"""Hand-made edge cases the generator does not produce, planted into a generated raw folder
before it is loaded.

The generator never ties two versions of an order on `updated_at`, never orders a product before
its first catalogue version, and re-delivers sessions unchanged. These files add, all valid
(every rule kept, no repeated key, so each file is validated):

- ties: the winning version of a few orders delivered again with the same `updated_at` and
  another status, once in a later file of the same business date (the copy wins: "a tie goes to
  the later file") and once in a file of the day before (the copy loses);
- late reference data: product `P09990` first appears on 2026-09-01, changes cost at
  2026-09-14T10:00Z; three new orders buy it before its first version (the earliest version
  prices it), before the change, and exactly at the change ("at or before");
- re-deliveries with changed content: a session and an API request delivered again, changed, a
  day later (the later delivery wins) and a day earlier (it loses).

What each case must do to the marts is written here as literal figures (`EdgePlan`), worked by
hand, so the test checks them without going through `expected_marts`.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from .contract import judge
from .raw_reader import COLUMNS, RawFile, discover, parse
from .verdicts import Row, latest_versions

SUFFIX = "zz-edge"  # sorts after every generated name of the same date ('_' > '.')
PRODUCT_ID = "P09990"
RECOGNISED = ("paid", "shipped", "delivered")
FAR_FUTURE = datetime(2100, 1, 1)


@dataclass
class EdgePlan:
    """What was planted, and what the marts must show for it."""

    files: list[str] = field(default_factory=list)  # relative to the raw folder
    # order_id -> the status fct_orders must show (the tie's winner)
    tie_winners: dict[str, str] = field(default_factory=dict)
    tie_losers: dict[str, str] = field(default_factory=dict)
    # order_id -> literal fct_orders figures
    priced_orders: dict[str, dict[str, Any]] = field(default_factory=dict)
    # session_id / request_id -> the delivery (file name) that must win
    session_winner: dict[str, str] = field(default_factory=dict)
    request_winner: dict[str, str] = field(default_factory=dict)


def _text(raw: RawFile) -> str:
    data = gzip.decompress(raw.content) if raw.file_name.endswith(".gz") else raw.content
    return data.decode("utf-8").removeprefix("\ufeff")


def _json_line(raw: RawFile, row_number: int) -> dict[str, Any]:
    lines = [line for line in _text(raw).splitlines() if line.strip()]
    return json.loads(lines[row_number - 1])


def _regular(files: list[RawFile], source: str) -> list[RawFile]:
    """The generator's daily (or hourly: the suffix is the hour) files of a source, not the
    extra files it adds to break the contract."""
    return [
        f
        for f in files
        if f.source == source and f.name_ok and (f.suffix is None or f.suffix.isdigit())
    ]


def _clean_rows(raw: RawFile) -> list[Row]:
    parsed = parse(raw)
    if parsed.failure:
        return []
    rows = [Row(raw, n, judge(parsed.source, r, FAR_FUTURE)) for n, r in enumerate(parsed.rows, 1)]
    return [row for row in rows if not row.judgement.errors]


class _Writer:
    def __init__(self, raw_dir: Path, plan: EdgePlan) -> None:
        self.raw_dir, self.plan = raw_dir, plan
        self.lines: dict[str, list[str]] = {}

    def add(self, source: str, day: date, ext: str, line: str) -> str:
        name = f"{source}_{day.isoformat()}_{SUFFIX}.{ext}"
        self.lines.setdefault(name, []).append(line)
        return name

    def flush(self) -> None:
        for name, lines in sorted(self.lines.items()):
            path = self.raw_dir / "edge" / name
            path.parent.mkdir(exist_ok=True)
            if name.endswith(".csv"):
                body = ",".join(COLUMNS["sessions"]) + "\n" + "".join(lines)
            elif name.endswith(".json"):
                body = "[" + ",\n".join(lines) + "]\n"
            else:
                body = "\n".join(lines) + "\n"
            path.write_text(body, encoding="utf-8")
            self.plan.files.append(path.relative_to(self.raw_dir).as_posix())


def _csv_line(values: dict[str, Any]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(
        ["" if values.get(c) is None else values[c] for c in COLUMNS["sessions"]]
    )
    return out.getvalue()


def plant(raw_dir: Path, start: date) -> EdgePlan:
    """Write the edge-case files into raw_dir; return what they must do."""
    plan = EdgePlan()
    writer = _Writer(raw_dir, plan)
    files = discover(raw_dir)
    _plant_ties(files, writer, plan)
    _plant_late_product(files, writer, plan)
    middle = start + timedelta(days=21)
    _plant_session_redeliveries(files, writer, plan, middle)
    _plant_request_redeliveries(files, writer, plan, middle)
    writer.flush()
    return plan


def _plant_ties(files: list[RawFile], writer: _Writer, plan: EdgePlan) -> None:
    rows = [row for raw in _regular(files, "orders") for row in _clean_rows(raw)]
    winners = latest_versions(rows, "order_id")
    # Only orders whose winning version sits in a file without a broken row: such a file is
    # validated, so the original version surely competes with its copy.
    whole = {
        raw.file_name
        for raw in _regular(files, "orders")
        if len(_clean_rows(raw)) == len(parse(raw).rows) > 0
    }
    candidates = [
        winners[order_id]
        for order_id in sorted(winners)
        if winners[order_id].values["status"] in RECOGNISED
        and winners[order_id].file.file_name in whole
    ]
    assert len(candidates) >= 6, "too few orders to plant ties"
    for index, row in enumerate(candidates[:6]):
        original = _json_line(row.file, row.row_number)
        copy = dict(original, status="refunded")
        day = row.file.business_date
        assert day is not None
        if index < 3:  # same business date, later file name: the copy wins
            writer.add("orders", day, "jsonl", json.dumps(copy))
            plan.tie_winners[original["order_id"]] = "refunded"
        else:  # the day before: the copy loses
            writer.add("orders", day - timedelta(days=1), "jsonl", json.dumps(copy))
            plan.tie_losers[original["order_id"]] = original["status"]


def _product(updated_at: str, price: str, cost: str) -> str:
    return (
        f'{{"product_id":"{PRODUCT_ID}","name":"Edge Case Kite","category":"toys",'
        f'"subcategory":"outdoor","brand":"Edgeworks","price":{price},"cost":{cost},'
        f'"stock_quantity":7,"is_active":true,"attributes":{{"color":"red"}},'
        f'"updated_at":"{updated_at}"}}'
    )


def _plant_late_product(files: list[RawFile], writer: _Writer, plan: EdgePlan) -> None:
    assert not any(PRODUCT_ID in _text(f) for f in _regular(files, "products"))
    writer.add("products", date(2026, 9, 1), "json", _product("2026-09-01T00:00:00Z", 30, 10))
    writer.add(
        "products", date(2026, 9, 15), "json", _product("2026-09-14T12:00:00+02:00", 32, 12.5)
    )
    # A buyer who signed up long before (no "order before signup"), from the first users file.
    first_users = min(_regular(files, "users"), key=lambda f: f.order_key)
    user_id = min(
        row.values["user_id"]
        for row in _clean_rows(first_users)
        if row.values["signup_at"] < datetime(2026, 7, 1)
    )
    cases = [
        # (order_id, file date, ordered_at as delivered, currency, qty, unit price, discount)
        ("ORD-EDGE-1", date(2026, 8, 20), "2026-08-20T09:15:00+02:00", "GBP", 2, "30.00", "0.1"),
        ("ORD-EDGE-2", date(2026, 9, 10), "2026-09-10T23:30:00-04:00", "EUR", 1, "25.50", "0"),
        ("ORD-EDGE-3", date(2026, 9, 14), "2026-09-14T12:00:00+02:00", "USD", 3, "19.99", "0.25"),
    ]
    for order_id, day, ordered_at, currency, quantity, unit_price, discount in cases:
        line = (
            f'{{"order_id":"{order_id}","user_id":"{user_id}","session_id":null,'
            f'"ordered_at":"{ordered_at}","updated_at":"{ordered_at}","status":"delivered",'
            f'"currency":"{currency}","payment_method":"card","shipping_country_code":"DE",'
            f'"shipping_cost":4.99,"coupon_code":null,"items":[{{"product_id":"{PRODUCT_ID}",'
            f'"quantity":{quantity},"unit_price":{unit_price},"discount_pct":{discount}}}]}}'
        )
        writer.add("orders", day, "jsonl", line)
    # Worked by hand: net = qty * price * (1 - discount) * rate; margin = net - qty * cost of
    # the version valid at ordered_at (UTC).
    plan.priced_orders = {
        # 2 x 30.00 GBP less 10% = 54.00 GBP x 1.17 = 63.18 EUR; before the first version
        # (2026-09-01), so the earliest version's cost 10.00: 63.18 - 20.00 = 43.18.
        "ORD-EDGE-1": {
            "ordered_at": datetime(2026, 8, 20, 7, 15),
            "units": 2,
            "net_revenue_eur": Decimal("63.18"),
            "margin_eur": Decimal("43.18"),
        },
        # 25.50 EUR; 2026-09-11T03:30Z (a UTC day later than its local date), cost 10.00.
        "ORD-EDGE-2": {
            "ordered_at": datetime(2026, 9, 11, 3, 30),
            "units": 1,
            "net_revenue_eur": Decimal("25.50"),
            "margin_eur": Decimal("15.50"),
        },
        # 3 x 19.99 USD less 25% = 44.9775 USD x 0.92 = 41.3793 EUR; placed exactly when cost
        # became 12.50: 41.3793 - 37.50 = 3.8793.
        "ORD-EDGE-3": {
            "ordered_at": datetime(2026, 9, 14, 10, 0),
            "units": 3,
            "net_revenue_eur": Decimal("41.3793"),
            "margin_eur": Decimal("3.8793"),
        },
    }


def _one_file(files: list[RawFile], source: str, day: date) -> RawFile:
    return min(
        (f for f in _regular(files, source) if f.business_date == day), key=lambda f: f.file_name
    )


def _plant_session_redeliveries(
    files: list[RawFile], writer: _Writer, plan: EdgePlan, day: date
) -> None:
    rows = _clean_rows(_one_file(files, "sessions", day))
    later, earlier = rows[0], rows[1]
    for row, delivered_on in ((later, day + timedelta(days=1)), (earlier, day - timedelta(days=1))):
        values = dict(row.judgement.row)
        values["traffic_source"] = "referral" if values["traffic_source"] != "referral" else "email"
        values["device_type"] = "tablet" if values["device_type"] != "tablet" else "desktop"
        values["page_views"] = "1"
        started = row.values["started_at"]
        values["ended_at"] = (started + timedelta(seconds=42.5)).isoformat(timespec="milliseconds")
        values["ended_at"] += "Z"
        name = writer.add("sessions", delivered_on, "csv", _csv_line(values))
        winner = name if row is later else row.file.file_name
        plan.session_winner[row.values["session_id"]] = winner


def _plant_request_redeliveries(
    files: list[RawFile], writer: _Writer, plan: EdgePlan, day: date
) -> None:
    raw = _one_file(files, "api_logs", day)
    rows = [row for row in _clean_rows(raw) if row.values["status_code"] < 400]
    later, earlier = rows[0], rows[1]
    for row, delivered_on, status, latency in (
        (later, day + timedelta(days=1), 503, 12345.6),
        (earlier, day - timedelta(days=1), 404, 0.5),
    ):
        copy = dict(_json_line(raw, row.row_number), status_code=status, latency_ms=latency)
        name = writer.add("api_logs", delivered_on, "jsonl", json.dumps(copy))
        plan.request_winner[row.values["request_id"]] = name if row is later else raw.file_name
