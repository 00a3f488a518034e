"""How figures read in the alert file and the dashboard: one place for units and rounding."""

from __future__ import annotations

import math

METRIC_LABELS = {
    "row_volume": "row volume",
    "net_revenue_eur": "net revenue",
    "conversion_rate": "conversion rate",
    "api_server_error_rate": "API server error rate",
    "api_p95_latency_ms": "API p95 latency",
}
RATE_METRICS = {"conversion_rate", "api_server_error_rate"}


def metric_label(metric: str) -> str:
    return METRIC_LABELS.get(metric, metric.replace("_", " "))


def metric_value(metric: str, value: float | None) -> str:
    """A metric's value with its unit: '1,204 rows', '€12,345.67', '3.21%', '412 ms'."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "n/a"
    if metric in RATE_METRICS or metric.endswith("_rate"):
        return f"{value * 100:.2f}%"
    if metric.endswith("_eur"):
        return f"€{value:,.2f}"
    if metric.endswith("_ms"):
        return f"{value:,.0f} ms"
    if metric == "row_volume":
        return f"{value:,.0f} rows"
    return f"{value:,.4g}"


def percent(share: float | None, digits: int = 1) -> str:
    if share is None:
        return "n/a"
    return f"{share * 100:.{digits}f}%"


def signed_percent(share: float | None) -> str:
    if share is None or not math.isfinite(share):
        return "n/a"
    return f"{share * 100:+.1f}%"


def seconds(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:.2f} s" if value < 60 else f"{value / 60:.1f} min"


def one_line(text: str | None) -> str:
    """Squash whitespace and control characters, so each alert stays on one line."""
    if not text:
        return ""
    cleaned = "".join(ch if ch.isprintable() else " " for ch in str(text))
    return " ".join(cleaned.split())
