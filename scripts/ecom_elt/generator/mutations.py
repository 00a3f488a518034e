"""How to break each business rule in one row, and nothing else.

One entry per rule name of config/business_rules.yaml (the generated `<source>_<column>_type`
rules included): it takes the row as delivered (CSV text or JSON values) and returns the changed
fields. Each change is chosen to break exactly its own rule: a price of 0 comes with a cost of 0
(so "cost above price" stays quiet), a future order time moves `updated_at` along, and a value
that fails its type becomes null after the cast, which every other check lets pass.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any


@dataclass
class Row:
    """One row being broken: its values, the file format and facts from the warehouse."""

    values: dict[str, Any]
    is_json: bool
    serial: int = 0  # a small number making planted unknown ids unique
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def null(self) -> Any:
        return None if self.is_json else ""

    def text(self, column: str) -> str:
        value = self.values.get(column)
        return "" if value is None else str(value)

    def number(self, column: str) -> float:
        return float(self.values.get(column) or 0)

    def typed(self, value: int | float) -> Any:
        """A number as JSON value or CSV text."""
        return value if self.is_json else str(value)


def parse_ts(text: str) -> datetime:
    return datetime.fromisoformat(text)


def format_like(moment: datetime, template: str) -> str:
    """`moment` written with the offset and precision of `template`."""
    shape = parse_ts(template)
    local = moment.astimezone(shape.tzinfo)
    spec = "milliseconds" if "." in template[19:] else "seconds"
    text = local.isoformat(timespec=spec)
    return text.removesuffix("+00:00") + "Z" if template.endswith("Z") else text


def shift(template: str, delta: timedelta) -> str:
    return format_like(parse_ts(template) + delta, template)


def without_zone(text: str) -> str:
    """`2026-08-10T10:15:30+02:00` -> `2026-08-10T10:15:30` (no offset: not a contract time)."""
    return text[:-1] if text.endswith("Z") else text[:-6]


def impossible_date(text: str) -> str:
    """The same timestamp on the 30th of February."""
    return text[:5] + "02-30" + text[10:]


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _item(row: Row, field_name: str, value: Any) -> dict[str, Any]:
    items = copy.deepcopy(row.values.get("items") or [])
    if items:
        items[0][field_name] = value
    return {"items": items}


def _cents_off(value: float) -> float:
    return round(round(value, 2) + 0.005, 3)


Mutation = Callable[[Row], dict[str, Any]]

MUTATIONS: dict[str, tuple[str, Mutation]] = {
    # users (CSV)
    "users_user_id_required": ("user_id", lambda r: {"user_id": r.null}),
    "users_user_id_format": ("user_id", lambda r: {"user_id": "USR" + r.text("user_id")[1:]}),
    "users_email_required": ("email", lambda r: {"email": r.null}),
    "users_email_format": ("email", lambda r: {"email": r.text("email").replace("@", " at ")}),
    "users_country_code_format": (
        "country_code",
        lambda r: {"country_code": r.text("country_code").lower() or "de"},
    ),
    "users_signup_at_required": ("signup_at", lambda r: {"signup_at": r.null}),
    "users_updated_at_required": ("updated_at", lambda r: {"updated_at": r.null}),
    "users_signup_not_after_update": (
        "signup_at",
        lambda r: {"signup_at": shift(r.text("updated_at"), timedelta(days=2))},
    ),
    "users_age_at_signup": (
        "birth_date",
        lambda r: {
            "birth_date": _years_before(
                parse_ts(r.text("signup_at")).astimezone(UTC).date(), 9
            ).isoformat()
        },
    ),
    "users_signup_at_type": (
        "signup_at",
        lambda r: {"signup_at": without_zone(r.text("signup_at"))},
    ),
    "users_birth_date_type": ("birth_date", lambda r: {"birth_date": "1990-02-30"}),
    "users_marketing_opt_in_type": ("marketing_opt_in", lambda r: {"marketing_opt_in": "yes"}),
    "users_updated_at_type": (
        "updated_at",
        lambda r: {"updated_at": impossible_date(r.text("updated_at"))},
    ),
    # products (JSON array)
    "products_product_id_required": ("product_id", lambda r: {"product_id": None}),
    "products_product_id_format": (
        "product_id",
        lambda r: {"product_id": "SKU-" + r.text("product_id")[1:]},
    ),
    "products_name_required": ("name", lambda r: {"name": None}),
    "products_category_required": ("category", lambda r: {"category": None}),
    "products_category_known": ("category", lambda r: {"category": "garden"}),
    "products_price_required": ("price", lambda r: {"price": None}),
    "products_price_positive": ("price", lambda r: {"price": 0, "cost": 0}),
    "products_price_cents": ("price", lambda r: {"price": _cents_off(r.number("price"))}),
    "products_cost_required": ("cost", lambda r: {"cost": None}),
    "products_cost_not_negative": ("cost", lambda r: {"cost": -1.5}),
    "products_cost_cents": ("cost", lambda r: {"cost": _cents_off(r.number("cost"))}),
    "products_cost_above_price": (
        "cost",
        lambda r: {"cost": round(r.number("price") * 1.25 + 0.01, 2)},
    ),
    "products_stock_not_negative": ("stock_quantity", lambda r: {"stock_quantity": -3}),
    "products_updated_at_required": ("updated_at", lambda r: {"updated_at": None}),
    "products_price_type": (
        "price",
        lambda r: {"price": f"{r.number('price'):.2f}".replace(".", ",")},
    ),
    "products_cost_type": ("cost", lambda r: {"cost": "n/a"}),
    "products_stock_quantity_type": ("stock_quantity", lambda r: {"stock_quantity": 12.5}),
    "products_is_active_type": ("is_active", lambda r: {"is_active": "yes"}),
    "products_attributes_type": ("attributes", lambda r: {"attributes": "color=red; size=M"}),
    "products_updated_at_type": (
        "updated_at",
        lambda r: {"updated_at": without_zone(r.text("updated_at"))},
    ),
    # sessions (CSV)
    "sessions_session_id_required": ("session_id", lambda r: {"session_id": r.null}),
    "sessions_started_at_required": ("started_at", lambda r: {"started_at": r.null}),
    "sessions_ended_at_required": ("ended_at", lambda r: {"ended_at": r.null}),
    "sessions_ends_after_start": (
        "ended_at",
        lambda r: {"ended_at": shift(r.text("started_at"), -timedelta(minutes=5))},
    ),
    "sessions_at_most_one_day": (
        "ended_at",
        lambda r: {"ended_at": shift(r.text("started_at"), timedelta(hours=26))},
    ),
    "sessions_device_type_known": ("device_type", lambda r: {"device_type": "smart_tv"}),
    "sessions_traffic_source_known": ("traffic_source", lambda r: {"traffic_source": "affiliate"}),
    "sessions_country_code_format": (
        "country_code",
        lambda r: {"country_code": r.text("country_code").lower() or "de"},
    ),
    "sessions_landing_page_path": (
        "landing_page",
        lambda r: {"landing_page": "www.shop.example" + r.text("landing_page")},
    ),
    "sessions_page_views_at_least_one": ("page_views", lambda r: {"page_views": r.typed(0)}),
    "sessions_product_views_not_negative": (
        "product_views",
        lambda r: {"product_views": r.typed(-1)},
    ),
    "sessions_add_to_cart_not_negative": (
        "add_to_cart_count",
        lambda r: {"add_to_cart_count": r.typed(-2)},
    ),
    "sessions_started_at_type": (
        "started_at",
        lambda r: {"started_at": without_zone(r.text("started_at"))},
    ),
    "sessions_ended_at_type": (
        "ended_at",
        lambda r: {"ended_at": impossible_date(r.text("ended_at"))},
    ),
    "sessions_page_views_type": ("page_views", lambda r: {"page_views": "abc"}),
    "sessions_product_views_type": ("product_views", lambda r: {"product_views": "2.5"}),
    "sessions_add_to_cart_count_type": (
        "add_to_cart_count",
        lambda r: {"add_to_cart_count": "one"},
    ),
    # orders (JSON Lines)
    "orders_order_id_required": ("order_id", lambda r: {"order_id": None}),
    "orders_user_id_required": ("user_id", lambda r: {"user_id": None}),
    "orders_user_known": ("user_id", lambda r: {"user_id": f"U99{r.serial:05d}"}),
    "orders_session_known": ("session_id", lambda r: {"session_id": f"SZ{r.serial:07d}"}),
    "orders_ordered_at_required": ("ordered_at", lambda r: {"ordered_at": None}),
    "orders_not_in_future": (
        "ordered_at",
        lambda r: {
            "ordered_at": shift(r.text("ordered_at"), timedelta(days=36525)),
            "updated_at": shift(r.text("updated_at"), timedelta(days=36525)),
        },
    ),
    "orders_not_before_signup": (
        "ordered_at",
        lambda r: {
            "ordered_at": format_like(
                r.facts["signup_at"] - timedelta(days=3), r.text("ordered_at")
            )
        },
    ),
    "orders_updated_at_required": ("updated_at", lambda r: {"updated_at": None}),
    "orders_updated_not_before_ordered": (
        "updated_at",
        lambda r: {"updated_at": shift(r.text("ordered_at"), -timedelta(hours=1))},
    ),
    "orders_status_known": ("status", lambda r: {"status": "in_transit"}),
    "orders_currency_known": ("currency", lambda r: {"currency": "CHF"}),
    "orders_payment_method_known": ("payment_method", lambda r: {"payment_method": "crypto"}),
    "orders_shipping_country_format": (
        "shipping_country_code",
        lambda r: {"shipping_country_code": r.text("shipping_country_code").lower() or "de"},
    ),
    "orders_shipping_cost_not_negative": ("shipping_cost", lambda r: {"shipping_cost": -4.99}),
    "orders_shipping_cost_cents": ("shipping_cost", lambda r: {"shipping_cost": 4.995}),
    "orders_has_items": ("items", lambda r: {"items": []}),
    "orders_ordered_at_type": (
        "ordered_at",
        lambda r: {"ordered_at": impossible_date(r.text("ordered_at"))},
    ),
    "orders_updated_at_type": (
        "updated_at",
        lambda r: {"updated_at": without_zone(r.text("updated_at"))},
    ),
    "orders_shipping_cost_type": ("shipping_cost", lambda r: {"shipping_cost": "4,99"}),
    "orders_items_type": ("items", lambda r: {"items": "P00012 x 1"}),
    # order lines (the first element of orders.items)
    "order_items_product_id_required": (
        "items[1].product_id",
        lambda r: _item(r, "product_id", None),
    ),
    "order_items_product_known": (
        "items[1].product_id",
        lambda r: _item(r, "product_id", f"P99{r.serial % 1000:03d}"),
    ),
    "order_items_quantity_range": ("items[1].quantity", lambda r: _item(r, "quantity", 75)),
    "order_items_unit_price_positive": ("items[1].unit_price", lambda r: _item(r, "unit_price", 0)),
    "order_items_unit_price_cents": (
        "items[1].unit_price",
        lambda r: _item(r, "unit_price", _cents_off(float(r.values["items"][0]["unit_price"]))),
    ),
    "order_items_discount_range": (
        "items[1].discount_pct",
        lambda r: _item(r, "discount_pct", 0.95),
    ),
    "order_items_quantity_type": ("items[1].quantity", lambda r: _item(r, "quantity", "two")),
    "order_items_unit_price_type": (
        "items[1].unit_price",
        lambda r: _item(r, "unit_price", "12,99"),
    ),
    "order_items_discount_pct_type": (
        "items[1].discount_pct",
        lambda r: _item(r, "discount_pct", "10%"),
    ),
    # api_logs (JSON Lines)
    "api_logs_ts_required": ("ts", lambda r: {"ts": None}),
    "api_logs_ts_milliseconds": ("ts", lambda r: {"ts": r.text("ts")[:19] + r.text("ts")[23:]}),
    "api_logs_request_id_required": ("request_id", lambda r: {"request_id": None}),
    "api_logs_service_known": ("service", lambda r: {"service": "billing"}),
    "api_logs_method_known": ("method", lambda r: {"method": "FETCH"}),
    "api_logs_endpoint_path": ("endpoint", lambda r: {"endpoint": r.text("endpoint")[1:]}),
    "api_logs_status_code_range": ("status_code", lambda r: {"status_code": 700}),
    "api_logs_latency_not_negative": ("latency_ms", lambda r: {"latency_ms": -12.5}),
    "api_logs_response_bytes_not_negative": ("response_bytes", lambda r: {"response_bytes": -1}),
    "api_logs_client_ip_format": ("client_ip", lambda r: {"client_ip": "unknown"}),
    "api_logs_ts_type": ("ts", lambda r: {"ts": impossible_date(r.text("ts"))}),
    "api_logs_status_code_type": ("status_code", lambda r: {"status_code": "OK"}),
    "api_logs_latency_ms_type": ("latency_ms", lambda r: {"latency_ms": "fast"}),
    "api_logs_response_bytes_type": ("response_bytes", lambda r: {"response_bytes": 2048.5}),
}


def break_rule(rule: str, row: Row) -> tuple[str, Any, dict[str, Any]]:
    """Apply the rule's mutation; returns (column, delivered value, the row's new values)."""
    column, mutation = MUTATIONS[rule]
    changes = mutation(row)
    values = {**row.values, **changes}
    if column.startswith("items[1]."):
        items = values.get("items")
        value = items[0].get(column.split(".", 1)[1]) if isinstance(items, list) and items else None
    else:
        value = values.get(column)
    return column, value, values
