"""The marts of `shared/spec/metrics.md`, computed from the clean rows in plain Python.

Money is exact (`Decimal`) and never rounded here; rates and averages are exact fractions
(`Fraction`); quantiles are numpy's default linear interpolation, written out below. Each mart is
a dict from its grain's key to a dict of its columns, so the test can compare row by row.

Winners (raw-data contract): users and orders, the latest `updated_at`, a tie to the later file
(later business date, then later file name); sessions and API requests, one per id, the latest
delivery winning; a product's version valid at a moment is the one with the latest `updated_at`
at or before it, else its earliest version. Winners are chosen among clean rows only.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

from .verdicts import Row, Verdicts, latest_deliveries, latest_versions, winning_users

RATES_TO_EUR = {"EUR": Decimal("1.00"), "USD": Decimal("0.92"), "GBP": Decimal("1.17")}
RECOGNISED = ("paid", "shipped", "delivered")

Mart = dict[Any, dict[str, Any]]


def quantile_linear(values: Sequence[Fraction], p: Fraction) -> Fraction | None:
    """numpy's default quantile: sorted values, h = (n - 1) p, linear between neighbours."""
    if not values:
        return None
    ordered = sorted(values)
    h = (len(ordered) - 1) * p
    low = int(h)  # floor, h >= 0
    if low + 1 >= len(ordered):
        return ordered[-1]
    return ordered[low] + (h - low) * (ordered[low + 1] - ordered[low])


def _sum(values: Sequence[Decimal | None]) -> Decimal | None:
    """SQL's sum: nulls ignored, null when nothing is left."""
    present = [v for v in values if v is not None]
    return sum(present, Decimal(0)) if present else None


def _ratio(numerator: Any, denominator: Any) -> Fraction | None:
    if numerator is None or not denominator:
        return None
    return Fraction(numerator) / Fraction(denominator)


class ProductHistory:
    """Every clean version of every product; answers "the version valid at a moment"."""

    def __init__(self, rows: list[Row]) -> None:
        versions: dict[str, dict[datetime, Row]] = defaultdict(dict)
        for row in sorted(rows, key=lambda r: r.file.order_key):
            # The same version delivered again (catalogue files repeat it) counts once.
            versions[row.values["product_id"]][row.values["updated_at"]] = row
        self._times = {pid: sorted(by_time) for pid, by_time in versions.items()}
        self._versions = versions

    def valid_at(self, product_id: str | None, moment: datetime) -> Row | None:
        times = self._times.get(product_id) if product_id is not None else None
        if not times:
            return None
        index = bisect.bisect_right(times, moment) - 1
        chosen = times[index] if index >= 0 else times[0]
        return self._versions[product_id][chosen]


@dataclass
class PricedLine:
    product_id: str | None
    category: str | None
    quantity: int | None
    net_eur: Decimal | None
    margin_eur: Decimal | None


@dataclass
class Order:
    row: Row
    lines: list[PricedLine]

    @property
    def values(self) -> dict[str, Any]:
        return self.row.values

    @property
    def is_recognised(self) -> bool:
        return self.values["status"] in RECOGNISED

    @property
    def order_date(self) -> date:
        return self.values["ordered_at"].date()

    @property
    def units(self) -> int | None:
        present = [line.quantity for line in self.lines if line.quantity is not None]
        return sum(present) if present else None

    @property
    def net_revenue_eur(self) -> Decimal | None:
        return _sum([line.net_eur for line in self.lines])

    @property
    def margin_eur(self) -> Decimal | None:
        return _sum([line.margin_eur for line in self.lines])


def _price_lines(order: Row, products: ProductHistory) -> list[PricedLine]:
    values = order.values
    rate = RATES_TO_EUR.get(values["currency"]) if values["currency"] else None
    priced = []
    for line in values["items"]:
        version = products.valid_at(line.product_id, values["ordered_at"])
        net_eur = margin_eur = None
        if None not in (line.quantity, line.unit_price, line.discount_pct, rate):
            gross = line.quantity * line.unit_price
            discount = gross * line.discount_pct
            net_eur = (gross - discount) * rate
            if version is not None and version.values["cost"] is not None:
                margin_eur = net_eur - line.quantity * version.values["cost"]
        priced.append(
            PricedLine(
                product_id=line.product_id,
                category=version.values["category"] if version is not None else None,
                quantity=line.quantity,
                net_eur=net_eur,
                margin_eur=margin_eur,
            )
        )
    return priced


class ExpectedMarts:
    """The marts for one judged raw folder."""

    def __init__(self, verdicts: Verdicts) -> None:
        self.verdicts = verdicts
        clean = verdicts.clean
        self.products = ProductHistory(clean["products"])
        self.users = winning_users(clean["users"])
        self.orders = [
            Order(row, _price_lines(row, self.products))
            for row in latest_versions(clean["orders"], "order_id").values()
        ]
        self.sessions = latest_deliveries(clean["sessions"], "session_id")
        self.requests = latest_deliveries(clean["api_logs"], "request_id")

    # ------------------------------------------------------------------------------ orders
    def fct_orders(self) -> Mart:
        return {
            order.values["order_id"]: {
                "user_id": order.values["user_id"],
                "session_id": order.values["session_id"],
                "ordered_at": order.values["ordered_at"],
                "status": order.values["status"],
                "is_recognised": order.is_recognised,
                "currency": order.values["currency"],
                "units": order.units,
                "net_revenue_eur": order.net_revenue_eur,
                "margin_eur": order.margin_eur,
            }
            for order in self.orders
        }

    def agg_daily_orders(self) -> Mart:
        by_day: dict[date, list[Order]] = defaultdict(list)
        for order in self.orders:
            by_day[order.order_date].append(order)
        mart = {}
        for day, orders in by_day.items():
            recognised = [o for o in orders if o.is_recognised]
            revenue = _sum([o.net_revenue_eur for o in recognised])
            mart[day] = {
                "orders_placed": len(orders),
                "orders_recognised": len(recognised),
                "net_revenue_eur": revenue,
                "avg_order_value_eur": (
                    revenue / len(recognised) if recognised and revenue is not None else None
                ),
            }
        return mart

    def agg_daily_sales(self) -> Mart:
        groups: dict[tuple[date, str | None], dict[str, Any]] = {}
        for order in self.orders:
            if not order.is_recognised:
                continue
            for line in order.lines:
                key = (order.order_date, line.category)
                group = groups.setdefault(
                    key, {"orders": set(), "units": [], "net": [], "margin": []}
                )
                group["orders"].add(order.values["order_id"])
                group["units"].append(line.quantity)
                group["net"].append(line.net_eur)
                group["margin"].append(line.margin_eur)
        return {
            key: {
                "orders_recognised": len(group["orders"]),
                "units": sum(u for u in group["units"] if u is not None),
                "net_revenue_eur": _sum(group["net"]),
                "margin_eur": _sum(group["margin"]),
            }
            for key, group in groups.items()
        }

    # ---------------------------------------------------------------------------- sessions
    def agg_daily_conversion(self) -> Mart:
        converting = {
            order.values["session_id"]
            for order in self.orders
            if order.is_recognised and order.values["session_id"] is not None
        }
        groups: dict[tuple[date, str | None, str | None], list[Row]] = defaultdict(list)
        for row in self.sessions.values():
            values = row.values
            key = (values["started_at"].date(), values["traffic_source"], values["device_type"])
            groups[key].append(row)
        mart = {}
        for key, rows in groups.items():
            converted = sum(1 for r in rows if r.values["session_id"] in converting)
            with_views = [r for r in rows if r.values["page_views"] is not None]
            bounces = sum(1 for r in with_views if r.values["page_views"] == 1)
            durations = [
                Fraction((r.values["ended_at"] - r.values["started_at"]) // _MICROSECOND, 10**6)
                for r in rows
            ]
            mart[key] = {
                "sessions": len(rows),
                "converted_sessions": converted,
                "conversion_rate": _ratio(converted, len(rows)),
                "bounce_rate": _ratio(bounces, len(with_views)),
                "avg_duration_s": _ratio(sum(durations, Fraction(0)), len(durations)),
            }
        return mart

    # --------------------------------------------------------------------------- customers
    def _recognised_by_user(self) -> dict[str, list[Order]]:
        by_user: dict[str, list[Order]] = defaultdict(list)
        for order in self.orders:
            if order.is_recognised:
                by_user[order.values["user_id"]].append(order)
        return by_user

    def dim_customers(self) -> Mart:
        by_user = self._recognised_by_user()
        mart = {}
        for user_id in self.users:
            orders = by_user.get(user_id, [])
            revenue = _sum([o.net_revenue_eur for o in orders]) if orders else Decimal(0)
            times = [o.values["ordered_at"] for o in orders]
            mart[user_id] = {
                "first_order_at": min(times) if times else None,
                "last_order_at": max(times) if times else None,
                "orders_count": len(orders),
                "lifetime_net_revenue_eur": revenue,
                "avg_order_value_eur": (
                    revenue / len(orders) if orders and revenue is not None else None
                ),
            }
        return mart

    def agg_customer_cohorts(self) -> Mart:
        """Cohort by the month of the first recognised order; retention in month k.

        Only (cohort, k) pairs with at least one active customer are listed here; the test
        decides what to do with pipeline rows that carry zero active customers.
        """
        by_user = self._recognised_by_user()
        cohorts: dict[date, list[set[int]]] = defaultdict(list)
        for user_id in self.users:
            orders = by_user.get(user_id)
            if not orders:
                continue
            months = {_month_index(o.values["ordered_at"]) for o in orders}
            first = min(months)
            cohorts[_month_start(first)].append({m - first for m in months})
        mart = {}
        for cohort_month, members in cohorts.items():
            for k in sorted(set().union(*members)):
                active = sum(1 for m in members if k in m)
                mart[(cohort_month, k)] = {
                    "cohort_size": len(members),
                    "active_customers": active,
                    "retention_rate": Fraction(active, len(members)),
                }
        return mart

    # -------------------------------------------------------------------------- API health
    def agg_api_health_daily(self, all_label: Any) -> Mart:
        """Per day and endpoint, and per day for all endpoints (keyed with `all_label`)."""
        groups: dict[tuple[date, Any], list[Row]] = defaultdict(list)
        for row in self.requests.values():
            day = row.values["ts"].date()
            groups[(day, row.values["endpoint"])].append(row)
            groups[(day, all_label)].append(row)
        mart = {}
        for key, rows in groups.items():
            codes = [r.values["status_code"] for r in rows]
            latencies = [
                Fraction(r.values["latency_ms"]) for r in rows if r.values["latency_ms"] is not None
            ]
            mart[key] = {
                "requests": len(rows),
                "server_error_rate": _ratio(
                    sum(1 for c in codes if c is not None and c >= 500), len(rows)
                ),
                "client_error_rate": _ratio(
                    sum(1 for c in codes if c is not None and 400 <= c <= 499), len(rows)
                ),
                "p50_ms": quantile_linear(latencies, Fraction(1, 2)),
                "p95_ms": quantile_linear(latencies, Fraction(95, 100)),
                "p99_ms": quantile_linear(latencies, Fraction(99, 100)),
            }
        return mart


_MICROSECOND = datetime(2000, 1, 1, 0, 0, 0, 1) - datetime(2000, 1, 1)


def _month_index(moment: datetime) -> int:
    return moment.year * 12 + moment.month - 1


def _month_start(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)
