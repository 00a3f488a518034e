"""An independent reader and checker of the raw data contract, for tests.

Written from ../shared/spec/raw-data-contract.md and the rule names of config/business_rules.yaml,
with Python's csv, json, gzip and re modules only, so a test built on it does not trust the
generator (or the loader) to judge its own output. Values are kept as the delivered text, the way
the raw schema stores them: a JSON number keeps its digits (so "at most 2 decimals" is checked on
what was written), JSON true/false become "true"/"false", objects and arrays stay structures.
"""

from __future__ import annotations

import csv
import gzip
import io
import ipaddress
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

NAME = re.compile(
    r"^(?P<source>[a-z_]+)_(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})(?:_(?P<suffix>[A-Za-z0-9-]+))?"
    r"\.(?P<ext>[a-z]+)(?P<gz>\.gz)?$"
)
EXTENSION = {"users": "csv", "products": "json", "sessions": "csv", "orders": "jsonl",
             "api_logs": "jsonl"}  # fmt: skip
TIMESTAMP = re.compile(
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$"
)
MILLISECONDS = re.compile(
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}(Z|[+-][0-9]{2}:[0-9]{2})$"
)
DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
INTEGER = re.compile(r"^-?[0-9]+$")
NUMBER = re.compile(r"^-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$")
COUNTRY = re.compile(r"^[A-Z]{2}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PATH = re.compile(r"^/\S*$")

CATEGORIES = {"electronics", "fashion", "home", "beauty", "sports", "books", "toys", "grocery"}
DEVICES = {"desktop", "mobile", "tablet"}
TRAFFIC = {"organic", "paid_search", "social", "email", "direct", "referral"}
STATUSES = {"pending", "paid", "shipped", "delivered", "cancelled", "refunded"}
CURRENCIES = {"EUR": 1.00, "USD": 0.92, "GBP": 1.17}
PAYMENTS = {"card", "paypal", "bank_transfer", "gift_card"}
SERVICES = {"catalog", "search", "cart", "checkout", "payments", "auth"}
METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}

# The contract's columns: name -> (type, required).
COLUMNS: dict[str, dict[str, tuple[str, bool]]] = {
    "users": {
        "user_id": ("string", True), "email": ("string", True), "first_name": ("string", False),
        "last_name": ("string", False), "country_code": ("string", False),
        "city": ("string", False), "signup_at": ("timestamp", True),
        "birth_date": ("date", False), "marketing_opt_in": ("boolean", False),
        "updated_at": ("timestamp", True),
    },
    "products": {
        "product_id": ("string", True), "name": ("string", True), "category": ("string", True),
        "subcategory": ("string", False), "brand": ("string", False),
        "price": ("number", True), "cost": ("number", True),
        "stock_quantity": ("integer", False), "is_active": ("boolean", False),
        "attributes": ("object", False), "updated_at": ("timestamp", True),
    },
    "sessions": {
        "session_id": ("string", True), "user_id": ("string", False),
        "started_at": ("timestamp", True), "ended_at": ("timestamp", True),
        "device_type": ("string", False), "os": ("string", False),
        "browser": ("string", False), "traffic_source": ("string", False),
        "campaign": ("string", False), "country_code": ("string", False),
        "landing_page": ("string", False), "page_views": ("integer", False),
        "product_views": ("integer", False), "add_to_cart_count": ("integer", False),
    },
    "orders": {
        "order_id": ("string", True), "user_id": ("string", True),
        "session_id": ("string", False), "ordered_at": ("timestamp", True),
        "updated_at": ("timestamp", True), "status": ("string", False),
        "currency": ("string", False), "payment_method": ("string", False),
        "shipping_country_code": ("string", False), "shipping_cost": ("number", False),
        "coupon_code": ("string", False), "items": ("array", True),
    },
    "api_logs": {
        "ts": ("timestamp", True), "request_id": ("string", True),
        "service": ("string", False), "method": ("string", False),
        "endpoint": ("string", False), "status_code": ("integer", False),
        "latency_ms": ("number", False), "response_bytes": ("integer", False),
        "user_id": ("string", False), "session_id": ("string", False),
        "client_ip": ("string", False), "user_agent": ("string", False),
    },
}  # fmt: skip
ITEM_FIELDS = {"product_id": "string", "quantity": "integer", "unit_price": "number",
               "discount_pct": "number"}  # fmt: skip
KEYS = {"users": "user_id", "products": "product_id", "sessions": "session_id",
        "orders": "order_id", "api_logs": "request_id"}  # fmt: skip
FILE_UNIQUE_KEY = {"users": ("user_id", "updated_at"), "products": ("product_id",),
                   "sessions": ("session_id",), "orders": ("order_id", "updated_at"),
                   "api_logs": ("request_id",)}  # fmt: skip


class Number(str):
    """A JSON number, kept as the text it was written as."""


def _json_text(value: Any) -> Any:
    """A parsed JSON value as the raw schema would hold it (scalars as text)."""
    if value is None or isinstance(value, dict | list):
        return value
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)


def load_json(text: str) -> Any:
    return json.loads(text, parse_float=Number, parse_int=Number)


@dataclass
class ParsedFile:
    path: Path
    name: str
    source: str | None = None
    business_date: date | None = None
    suffix: str | None = None
    compressed: bool = False
    problem: str | None = None  # the file-level reason it cannot be loaded, if any
    columns: list[str] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)  # 1-based row i is rows[i - 1]
    had_bom: bool = False

    @property
    def ok(self) -> bool:
        return self.problem is None


def parse_name(name: str) -> re.Match[str] | None:
    return NAME.match(name)


def read_file(path: Path) -> ParsedFile:
    """Read one delivered file the way the contract describes it."""
    parsed = ParsedFile(path=path, name=path.name)
    match = parse_name(path.name)
    if not match:
        parsed.problem = "invalid_file_name"
        return parsed
    parsed.source = match["source"]
    parsed.suffix = match["suffix"]
    parsed.compressed = bool(match["gz"])
    try:
        parsed.business_date = date.fromisoformat(match["date"])
    except ValueError:
        parsed.problem = "invalid_file_name"
        return parsed
    if parsed.source not in EXTENSION:
        parsed.problem = "unknown_source"
        return parsed
    if match["ext"] != EXTENSION[parsed.source]:
        parsed.problem = "invalid_file_name"
        return parsed
    data = path.read_bytes()
    if parsed.compressed:
        try:
            data = gzip.decompress(data)
        except OSError:
            parsed.problem = "file_unreadable"
            return parsed
    if not data:
        parsed.problem = "file_empty"
        return parsed
    if data.startswith(b"\xef\xbb\xbf"):
        parsed.had_bom = True
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        parsed.problem = "file_not_utf8"
        return parsed
    reader = {"csv": _read_csv, "json": _read_json_array, "jsonl": _read_json_lines}
    reader[EXTENSION[parsed.source]](parsed, text)
    if parsed.problem is None:
        if not parsed.rows:
            parsed.problem = "file_empty"
        else:
            required = [c for c, (_, req) in COLUMNS[parsed.source].items() if req]
            if any(c not in parsed.columns for c in required):
                parsed.problem = "required_column_missing"
    return parsed


def _read_csv(parsed: ParsedFile, text: str) -> None:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        parsed.problem = "file_empty"
        return
    parsed.columns = header
    for line in reader:
        if len(line) != len(header):
            parsed.problem = "file_unparseable"
            return
        parsed.rows.append({c: (v if v != "" else None) for c, v in zip(header, line, strict=True)})


def _read_json_array(parsed: ParsedFile, text: str) -> None:
    try:
        doc = load_json(text)
    except json.JSONDecodeError:
        parsed.problem = "file_unparseable"
        return
    if not isinstance(doc, list) or not all(isinstance(e, dict) for e in doc):
        parsed.problem = "file_wrong_shape"
        return
    _keep_objects(parsed, doc)


def _read_json_lines(parsed: ParsedFile, text: str) -> None:
    objects = []
    for line in text.split("\n"):
        if not line.strip():
            continue
        try:
            value = load_json(line)
        except json.JSONDecodeError:
            parsed.problem = "file_unparseable"
            return
        if not isinstance(value, dict):
            parsed.problem = "file_wrong_shape"
            return
        objects.append(value)
    _keep_objects(parsed, objects)


def _keep_objects(parsed: ParsedFile, objects: list[dict[str, Any]]) -> None:
    columns: list[str] = []
    for obj in objects:
        for key in obj:
            if key not in columns:
                columns.append(key)
        parsed.rows.append({k: _json_text(v) for k, v in obj.items()})
    parsed.columns = columns


# --------------------------------------------------------------------------- values


def parse_timestamp(text: str | None) -> datetime | None:
    """A contract timestamp as UTC, or None when it is not one."""
    if text is None or not isinstance(text, str) or not TIMESTAMP.match(text):
        return None
    try:
        return datetime.fromisoformat(text).astimezone(UTC)
    except ValueError:
        return None


def parse_date(text: str | None) -> date | None:
    if text is None or not isinstance(text, str) or not DATE.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def valid_type(kind: str, value: Any) -> bool:
    """Does a non-null delivered value have the contract type?"""
    if kind == "string":
        return isinstance(value, str)
    if kind == "timestamp":
        return parse_timestamp(value) is not None
    if kind == "date":
        return parse_date(value) is not None
    if kind == "boolean":
        return value in ("true", "false")
    if kind == "integer":
        return isinstance(value, str) and bool(INTEGER.match(value))
    if kind == "number":
        return isinstance(value, str) and bool(NUMBER.match(value))
    if kind == "object":
        return isinstance(value, dict)
    if kind == "array":
        return isinstance(value, list)
    raise ValueError(kind)


def decimals(text: str) -> int:
    mantissa = text.lower().split("e")[0]
    return len(mantissa.split(".")[1]) if "." in mantissa else 0


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, str) and NUMBER.match(value) else None


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, str) and INTEGER.match(value) else None


# --------------------------------------------------------------------------- row rules


def row_breaks(source: str, row: dict[str, Any], now: datetime | None = None) -> set[str]:
    """Names of the single-row rules (config/business_rules.yaml) this row breaks."""
    broken: set[str] = set()
    for column, (kind, _) in COLUMNS[source].items():
        value = row.get(column)
        if value is not None and kind != "string" and not valid_type(kind, value):
            broken.add(f"{source}_{column}_type")
    checks = {
        "users": _users,
        "products": _products,
        "sessions": _sessions,
        "orders": _orders,
        "api_logs": _api_logs,
    }
    broken |= checks[source](row, now or datetime.now(UTC))
    return broken


def _required(row: dict[str, Any], prefix: str, columns: Iterable[str]) -> set[str]:
    return {f"{prefix}_{c}_required" for c in columns if row.get(c) is None}


def _users(row: dict[str, Any], now: datetime) -> set[str]:
    out = _required(row, "users", ["user_id", "email", "signup_at", "updated_at"])
    if row.get("user_id") is not None and not re.fullmatch(r"U[0-9]{7}", row["user_id"]):
        out.add("users_user_id_format")
    if row.get("email") is not None and not EMAIL.match(row["email"]):
        out.add("users_email_format")
    if row.get("country_code") is not None and not COUNTRY.match(row["country_code"]):
        out.add("users_country_code_format")
    signup, updated = parse_timestamp(row.get("signup_at")), parse_timestamp(row.get("updated_at"))
    if signup and updated and signup > updated:
        out.add("users_signup_not_after_update")
    birth = parse_date(row.get("birth_date"))
    if birth and signup:
        day = signup.date()
        if not (_add_years(birth, 13) <= day < _add_years(birth, 121)):
            out.add("users_age_at_signup")
    return out


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _products(row: dict[str, Any], now: datetime) -> set[str]:
    out = _required(row, "products", ["product_id", "name", "category", "price", "cost",
                                      "updated_at"])  # fmt: skip
    if row.get("product_id") is not None and not re.fullmatch(r"P[0-9]{5}", row["product_id"]):
        out.add("products_product_id_format")
    if row.get("category") is not None and row["category"] not in CATEGORIES:
        out.add("products_category_known")
    price, cost = _num(row.get("price")), _num(row.get("cost"))
    if price is not None:
        if price <= 0:
            out.add("products_price_positive")
        if decimals(row["price"]) > 2:
            out.add("products_price_cents")
    if cost is not None:
        if cost < 0:
            out.add("products_cost_not_negative")
        if decimals(row["cost"]) > 2:
            out.add("products_cost_cents")
        if price is not None and cost > price:
            out.add("products_cost_above_price")
    stock = _int(row.get("stock_quantity"))
    if stock is not None and stock < 0:
        out.add("products_stock_not_negative")
    return out


def _sessions(row: dict[str, Any], now: datetime) -> set[str]:
    out = _required(row, "sessions", ["session_id", "started_at", "ended_at"])
    started, ended = parse_timestamp(row.get("started_at")), parse_timestamp(row.get("ended_at"))
    if started and ended:
        if ended < started:
            out.add("sessions_ends_after_start")
        if ended > started + timedelta(hours=24):
            out.add("sessions_at_most_one_day")
    if row.get("device_type") is not None and row["device_type"] not in DEVICES:
        out.add("sessions_device_type_known")
    if row.get("traffic_source") is not None and row["traffic_source"] not in TRAFFIC:
        out.add("sessions_traffic_source_known")
    if row.get("country_code") is not None and not COUNTRY.match(row["country_code"]):
        out.add("sessions_country_code_format")
    if row.get("landing_page") is not None and not PATH.match(row["landing_page"]):
        out.add("sessions_landing_page_path")
    for column, low, rule in (
        ("page_views", 1, "sessions_page_views_at_least_one"),
        ("product_views", 0, "sessions_product_views_not_negative"),
        ("add_to_cart_count", 0, "sessions_add_to_cart_not_negative"),
    ):
        value = _int(row.get(column))
        if value is not None and value < low:
            out.add(rule)
    return out


def _orders(row: dict[str, Any], now: datetime) -> set[str]:
    out = _required(row, "orders", ["order_id", "user_id", "ordered_at", "updated_at"])
    ordered, updated = (
        parse_timestamp(row.get("ordered_at")),
        parse_timestamp(row.get("updated_at")),
    )
    if ordered and ordered > now:
        out.add("orders_not_in_future")
    if ordered and updated and updated < ordered:
        out.add("orders_updated_not_before_ordered")
    for column, allowed, rule in (
        ("status", STATUSES, "orders_status_known"),
        ("currency", CURRENCIES, "orders_currency_known"),
        ("payment_method", PAYMENTS, "orders_payment_method_known"),
    ):
        if row.get(column) is not None and row[column] not in allowed:
            out.add(rule)
    if row.get("shipping_country_code") is not None and not COUNTRY.match(
        row["shipping_country_code"]
    ):
        out.add("orders_shipping_country_format")
    cost = _num(row.get("shipping_cost"))
    if cost is not None:
        if cost < 0:
            out.add("orders_shipping_cost_not_negative")
        if decimals(row["shipping_cost"]) > 2:
            out.add("orders_shipping_cost_cents")
    items = row.get("items")
    if isinstance(items, list):
        if not items:
            out.add("orders_has_items")
        for item in items:
            out |= _item(item if isinstance(item, dict) else {})
    return out


def _item(item: dict[str, Any]) -> set[str]:
    out: set[str] = set()
    values = {k: _json_text(v) if not isinstance(v, str) else v for k, v in item.items()}
    for column, kind in ITEM_FIELDS.items():
        value = values.get(column)
        if value is not None and kind != "string" and not valid_type(kind, value):
            out.add(f"order_items_{column}_type")
    if values.get("product_id") is None:
        out.add("order_items_product_id_required")
    quantity = _int(values.get("quantity"))
    if quantity is not None and not 1 <= quantity <= 50:
        out.add("order_items_quantity_range")
    price = _num(values.get("unit_price"))
    if price is not None:
        if price <= 0:
            out.add("order_items_unit_price_positive")
        if decimals(values["unit_price"]) > 2:
            out.add("order_items_unit_price_cents")
    discount = _num(values.get("discount_pct"))
    if discount is not None and not 0 <= discount <= 0.9:
        out.add("order_items_discount_range")
    return out


def _api_logs(row: dict[str, Any], now: datetime) -> set[str]:
    out = _required(row, "api_logs", ["ts", "request_id"])
    if row.get("ts") is not None and not MILLISECONDS.match(row["ts"]):
        out.add("api_logs_ts_milliseconds")
    for column, allowed, rule in (
        ("service", SERVICES, "api_logs_service_known"),
        ("method", METHODS, "api_logs_method_known"),
    ):
        if row.get(column) is not None and row[column] not in allowed:
            out.add(rule)
    if row.get("endpoint") is not None and not PATH.match(row["endpoint"]):
        out.add("api_logs_endpoint_path")
    status = _int(row.get("status_code"))
    if status is not None and not 100 <= status <= 599:
        out.add("api_logs_status_code_range")
    latency = _num(row.get("latency_ms"))
    if latency is not None and latency < 0:
        out.add("api_logs_latency_not_negative")
    size = _int(row.get("response_bytes"))
    if size is not None and size < 0:
        out.add("api_logs_response_bytes_not_negative")
    ip = row.get("client_ip")
    if ip is not None:
        try:
            ipaddress.ip_address(ip)
        except ValueError:
            out.add("api_logs_client_ip_format")
    return out


# --------------------------------------------------------------------------- datasets


@dataclass
class Dataset:
    """Every file under raw/, parsed."""

    files: list[ParsedFile]

    @classmethod
    def read(cls, raw: Path) -> Dataset:
        return cls([read_file(p) for p in sorted(raw.rglob("*")) if p.is_file()])

    def of(self, source: str, only_ok: bool = True) -> list[ParsedFile]:
        return [f for f in self.files if f.source == source and (f.ok or not only_ok)]

    def rows(
        self, source: str, exclude: set[str] | None = None
    ) -> Iterable[tuple[ParsedFile, int, dict[str, Any]]]:
        for parsed in self.of(source):
            if exclude and parsed.name in exclude:
                continue
            for number, row in enumerate(parsed.rows, 1):
                yield parsed, number, row


def cross_source_breaks(
    data: Dataset, exclude: set[str] | None = None
) -> dict[tuple[str, int], set[str]]:
    """Rules judged across sources: (file name, row) -> broken rule names.

    `orders_user_known`, `orders_session_known`, `order_items_product_known` (the key exists in any
    delivered file of the other source) and `orders_not_before_signup` (ordered_at not before the
    user's signup_at).
    """
    users = {row["user_id"]: row for _, _, row in data.rows("users", exclude) if row.get("user_id")}
    sessions = {row["session_id"] for _, _, row in data.rows("sessions", exclude)}
    products = {row["product_id"] for _, _, row in data.rows("products", exclude)}
    out: dict[tuple[str, int], set[str]] = {}
    for parsed, number, row in data.rows("orders", exclude):
        broken: set[str] = set()
        user = users.get(row.get("user_id"))
        if row.get("user_id") is not None and user is None:
            broken.add("orders_user_known")
        if row.get("session_id") is not None and row["session_id"] not in sessions:
            broken.add("orders_session_known")
        items = row.get("items")
        if isinstance(items, list):
            for item in items:
                if (
                    isinstance(item, dict)
                    and item.get("product_id") is not None
                    and (item["product_id"] not in products)
                ):
                    broken.add("order_items_product_known")
        ordered = parse_timestamp(row.get("ordered_at"))
        signup = parse_timestamp(user.get("signup_at")) if user else None
        if ordered and signup and ordered < signup:
            broken.add("orders_not_before_signup")
        if broken:
            out[(parsed.name, number)] = broken
    return out


def completeness(parsed: ParsedFile, column: str) -> float:
    if not parsed.rows:
        return 1.0
    filled = sum(1 for row in parsed.rows if row.get(column) is not None)
    return filled / len(parsed.rows)


def duplicate_rows(parsed: ParsedFile) -> list[int]:
    """Rows repeating an earlier row's file-unique key (1-based row numbers)."""
    assert parsed.source is not None
    seen: set[tuple[Any, ...]] = set()
    out = []
    for number, row in enumerate(parsed.rows, 1):
        key = tuple(row.get(c) for c in FILE_UNIQUE_KEY[parsed.source])
        if key in seen:
            out.append(number)
        seen.add(key)
    return out
