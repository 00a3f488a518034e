"""The optional webhook: POST the alert summary as JSON to the URL from config/alerts.yaml.

Off unless a URL is set (or $ECOM_ALERT_WEBHOOK_URL). A failed POST is a warning in the log and
in run_summary.json, never a failed run: the alert file is written either way.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlsplit

from ecom_elt.config import AlertsConfig
from ecom_elt.reporting.alerts import SEVERITY_RANK, Alert

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WebhookResult:
    enabled: bool
    sent: bool
    host: str | None = None
    http_status: int | None = None
    alerts_sent: int = 0
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def alerts_to_send(alerts: list[Alert], min_severity: str) -> list[Alert]:
    floor = SEVERITY_RANK[min_severity]
    # The clean-run line ("ok") goes out only to whoever asked for everything (info).
    return [
        a
        for a in alerts
        if SEVERITY_RANK[a.severity] >= floor or (a.severity == "ok" and floor <= 1)
    ]


def post_alerts(
    config: AlertsConfig, alerts: list[Alert], summary: dict[str, Any]
) -> WebhookResult:
    """POST {summary, alerts} when the webhook is on and some alert reaches min_severity."""
    if not config.webhook_url:
        return WebhookResult(enabled=False, sent=False)
    host = urlsplit(config.webhook_url).hostname  # never log the full URL: it may hold a token
    chosen = alerts_to_send(alerts, config.min_severity)
    if not chosen:
        log.info("webhook: no alert at or above %s, nothing sent", config.min_severity)
        return WebhookResult(enabled=True, sent=False, host=host)
    body = json.dumps(
        {"summary": summary, "alerts": [a.as_dict() for a in chosen]}, default=str
    ).encode("utf-8")
    request = urllib.request.Request(
        config.webhook_url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "User-Agent": "ecom-elt-report"},
    )
    try:
        with urllib.request.urlopen(request, timeout=config.timeout_seconds) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        log.warning("webhook %s answered HTTP %s; alerts not delivered", host, exc.code)
        return WebhookResult(True, False, host, exc.code, 0, f"HTTP {exc.code}")
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        log.warning("webhook %s unreachable (%s); alerts not delivered", host, reason)
        return WebhookResult(True, False, host, None, 0, str(reason))
    log.info("webhook %s: sent %d alert(s), HTTP %s", host, len(chosen), status)
    return WebhookResult(True, True, host, status, len(chosen))
