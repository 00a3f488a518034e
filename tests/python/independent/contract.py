"""The contract's row rules, judged one row at a time, and the typed values of the row.

Written from the tables of `raw-data-contract.md`: every rule there that is not a "should" or
"suspicious" is an error (the row is quarantined); types are checked as the contract writes them
(a value that is not a valid timestamp, date, number, integer or boolean breaks its type). A
null value passes every check but "required". Rule names here are this module's own
(`<source>_<column>_<check>`); the test compares outcomes (which rows and files are out), not
names, except where it checks the pipeline against the generator's manifest.

Cross-source rules need other sources, so they live in `verdicts`: "ordered_at not before the
user's signup_at" (error) and the "should exist" relationships (warnings, no effect on marts).
"""

from __future__ import annotations

import ipaddress
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from .raw_reader import BadValue, to_boolean, to_date, to_decimal, to_integer, to_utc

CATEGORIES = ("electronics", "fashion", "home", "beauty", "sports", "books", "toys", "grocery")
DEVICE_TYPES = ("desktop", "mobile", "tablet")
TRAFFIC_SOURCES = ("organic", "paid_search", "social", "email", "direct", "referral")
STATUSES = ("pending", "paid", "shipped", "delivered", "cancelled", "refunded")
CURRENCIES = ("EUR", "USD", "GBP")
PAYMENT_METHODS = ("card", "paypal", "bank_transfer", "gift_card")
SERVICES = ("catalog", "search", "cart", "checkout", "payments", "auth")
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")

_COUNTRY = re.compile(r"^[A-Z]{2}$")
_USER_ID = re.compile(r"^U[0-9]{7}$")
_PRODUCT_ID = re.compile(r"^P[0-9]{5}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PATH = re.compile(r"^/\S*$")
_MILLISECOND_TS = re.compile(r"^[^.]+\.[0-9]{3}(?:Z|[+-][0-9]{2}:[0-9]{2})$")
CENT = Decimal("0.01")


@dataclass
class Judgement:
    """A row's error and warning rule breaks, and its typed values (None where not valid)."""

    source: str
    row: dict[str, Any]
    errors: set[str] = field(default_factory=set)
    warnings: set[str] = field(default_factory=set)
    values: dict[str, Any] = field(default_factory=dict)

    @property
    def is_clean(self) -> bool:
        return not self.errors

    # -- checks; each stores the typed value under the column name and returns it
    def _fail(self, column: str, check: str) -> None:
        self.errors.add(f"{self.source}_{column}_{check}")

    def _raw(self, column: str, required: bool, where: dict[str, Any] | None = None) -> Any:
        value = (self.row if where is None else where).get(column)
        if value is None and required:
            self._fail(column, "required")
        return value

    def text(
        self,
        column: str,
        *,
        required: bool = False,
        pattern: re.Pattern[str] | None = None,
        accepted: tuple[str, ...] | None = None,
    ) -> str | None:
        value = self._raw(column, required)
        if value is not None and not isinstance(value, str):
            value = json.dumps(value)
        if value is not None and pattern is not None and not pattern.match(value):
            self._fail(column, "format")
        if value is not None and accepted is not None and value not in accepted:
            self._fail(column, "known")
        self.values[column] = value
        return value

    def typed(self, column: str, convert: Any, *, required: bool = False) -> Any:
        value = self._raw(column, required)
        typed = None
        if value is not None:
            try:
                typed = convert(value)
            except (BadValue, TypeError):
                self._fail(column, "type")
        self.values[column] = typed
        return typed

    def number(
        self,
        column: str,
        *,
        required: bool = False,
        minimum: Decimal | int | None = None,
        above: Decimal | int | None = None,
        maximum: Decimal | int | None = None,
        cents: bool = False,
        integer: bool = False,
    ) -> Any:
        value = self.typed(column, to_integer if integer else to_decimal, required=required)
        if value is not None:
            judge_range(self, column, value, minimum, above, maximum)
            if cents and value != value.quantize(CENT):
                self._fail(column, "cents")
        return value


def judge_range(
    judgement: Judgement,
    column: str,
    value: Decimal | int,
    minimum: Decimal | int | None,
    above: Decimal | int | None,
    maximum: Decimal | int | None,
) -> None:
    if (
        (minimum is not None and value < minimum)
        or (above is not None and value <= above)
        or (maximum is not None and value > maximum)
    ):
        judgement._fail(column, "range")


def age_in_years(birth: date, on: date) -> int:
    """Completed years of age on a day."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _users(j: Judgement) -> None:
    j.text("user_id", required=True, pattern=_USER_ID)
    j.text("email", required=True, pattern=_EMAIL)
    for column in ("first_name", "last_name", "city"):
        j.text(column)
    j.text("country_code", pattern=_COUNTRY)
    signup_at = j.typed("signup_at", to_utc, required=True)
    birth_date = j.typed("birth_date", to_date)
    j.typed("marketing_opt_in", to_boolean)
    updated_at = j.typed("updated_at", to_utc, required=True)
    if signup_at is not None and updated_at is not None and signup_at > updated_at:
        j._fail("signup_at", "after_update")
    if (
        birth_date is not None
        and signup_at is not None
        and not 13 <= age_in_years(birth_date, signup_at.date()) <= 120
    ):
        j._fail("birth_date", "age")


def _products(j: Judgement) -> None:
    j.text("product_id", required=True, pattern=_PRODUCT_ID)
    j.text("name", required=True)
    j.text("category", required=True, accepted=CATEGORIES)
    for column in ("subcategory", "brand"):
        j.text(column)
    price = j.number("price", required=True, above=0, cents=True)
    cost = j.number("cost", required=True, minimum=0, cents=True)
    if price is not None and cost is not None and cost > price:
        j.warnings.add("products_cost_above_price")
    j.number("stock_quantity", minimum=0, integer=True)
    j.typed("is_active", to_boolean)
    attributes = j._raw("attributes", False)
    if attributes is not None and not isinstance(attributes, dict):
        j._fail("attributes", "type")
    j.values["attributes"] = attributes if isinstance(attributes, dict) else None
    j.typed("updated_at", to_utc, required=True)


def _sessions(j: Judgement) -> None:
    j.text("session_id", required=True)
    j.text("user_id")
    started_at = j.typed("started_at", to_utc, required=True)
    ended_at = j.typed("ended_at", to_utc, required=True)
    if started_at is not None and ended_at is not None:
        if ended_at < started_at:
            j._fail("ended_at", "before_start")
        if ended_at > started_at + timedelta(hours=24):
            j._fail("ended_at", "over_24h")
    j.text("device_type", accepted=DEVICE_TYPES)
    j.text("traffic_source", accepted=TRAFFIC_SOURCES)
    for column in ("os", "browser", "campaign"):
        j.text(column)
    j.text("country_code", pattern=_COUNTRY)
    j.text("landing_page", pattern=_PATH)
    j.number("page_views", minimum=1, integer=True)
    j.number("product_views", minimum=0, integer=True)
    j.number("add_to_cart_count", minimum=0, integer=True)


@dataclass(frozen=True)
class Line:
    product_id: str | None
    quantity: int | None
    unit_price: Decimal | None
    discount_pct: Decimal | None


def _orders(j: Judgement, now: datetime) -> None:
    j.text("order_id", required=True)
    j.text("user_id", required=True)
    j.text("session_id")
    ordered_at = j.typed("ordered_at", to_utc, required=True)
    updated_at = j.typed("updated_at", to_utc, required=True)
    if ordered_at is not None and ordered_at > now:
        j._fail("ordered_at", "future")
    if ordered_at is not None and updated_at is not None and updated_at < ordered_at:
        j._fail("updated_at", "before_ordered")
    j.text("status", accepted=STATUSES)
    j.text("currency", accepted=CURRENCIES)
    j.text("payment_method", accepted=PAYMENT_METHODS)
    j.text("shipping_country_code", pattern=_COUNTRY)
    j.number("shipping_cost", minimum=0, cents=True)
    j.text("coupon_code")
    items = j._raw("items", True)
    lines: list[Line] = []
    if items is not None:
        if not isinstance(items, list):
            j._fail("items", "type")
        elif not items:
            j._fail("items", "empty")
        else:
            lines = [_order_line(j, item) for item in items]
    j.values["items"] = lines


def _order_line(j: Judgement, item: Any) -> Line:
    """One element of items: its own rules; a bad line quarantines the whole order."""
    if not isinstance(item, dict):
        j.errors.add("order_items_type")
        return Line(None, None, None, None)
    line = Judgement("order_items", item)
    line.text("product_id", required=True)
    line.number("quantity", minimum=1, maximum=50, integer=True)
    line.number("unit_price", above=0, cents=True)
    line.number("discount_pct", minimum=0, maximum=Decimal("0.9"))
    j.errors |= line.errors
    values = line.values
    return Line(
        values["product_id"], values["quantity"], values["unit_price"], values["discount_pct"]
    )


def _valid_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _api_logs(j: Judgement) -> None:
    ts = j._raw("ts", True)
    if isinstance(ts, str) and not _MILLISECOND_TS.match(ts):
        j._fail("ts", "milliseconds")
    j.typed("ts", to_utc, required=False)
    j.text("request_id", required=True)
    j.text("service", accepted=SERVICES)
    j.text("method", accepted=METHODS)
    j.text("endpoint", pattern=_PATH)
    j.number("status_code", minimum=100, maximum=599, integer=True)
    j.number("latency_ms", minimum=0)
    j.number("response_bytes", minimum=0, integer=True)
    for column in ("user_id", "session_id", "user_agent"):
        j.text(column)
    client_ip = j.text("client_ip")
    if client_ip is not None and not _valid_ip(client_ip):
        j._fail("client_ip", "format")


def judge(source: str, row: dict[str, Any], now: datetime) -> Judgement:
    """The row's own rule breaks (no cross-source rule) and typed values."""
    judgement = Judgement(source, row)
    if source == "orders":
        _orders(judgement, now)
    else:
        {"users": _users, "products": _products, "sessions": _sessions, "api_logs": _api_logs}[
            source
        ](judgement)
    return judgement
