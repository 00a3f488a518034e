"""`dbt build --select <source>+` rebuilds one source's chain and what truly depends on it.

Asserted with `dbt ls` (a parse, no warehouse needed): the models each selection picks. The
chains are not disjoint by design: orders are judged against users, sessions and products
(cross-source rules), so `users+`, `sessions+` and `products+` reach the orders chain and the
marts built on orders; sessions convert through orders, so `orders+` reaches fct_sessions. What
must never happen is a chain dragging in another source's own models (API logs, product-only,
user-only, session-only), which would make a partial rebuild a full one.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import subprocess_env

from ecom_elt.paths import REPO_ROOT, DataRoot

DBT = Path(sys.executable).with_name("dbt")

# Each source's own models: a selection from another source must not pick them.
OWN_MODELS = {
    "api_logs": {
        "api_logs",
        "api_logs_row_breaks",
        "api_logs_file_checks",
        "api_logs_file_status",
        "api_logs_quarantine",
        "api_logs_daily_metrics",
        "api_logs_anomalies",
        "int_api_logs_validated",
        "int_api_requests_classified",
        "fct_api_requests",
        "agg_api_health_daily",
    },
    "products": {
        "products",
        "products_row_breaks",
        "products_file_checks",
        "products_file_status",
        "products_quarantine",
        "products_daily_metrics",
        "products_anomalies",
        "int_products_validated",
        "int_product_versions",
        "dim_products",
    },
    "users": {
        "users",
        "users_row_breaks",
        "users_file_checks",
        "users_file_status",
        "users_quarantine",
        "users_daily_metrics",
        "users_anomalies",
        "int_users_validated",
        "int_users_deduplicated",
        "dim_users",
    },
    "sessions": {
        "sessions",
        "sessions_row_breaks",
        "sessions_file_checks",
        "sessions_file_status",
        "sessions_quarantine",
        "int_sessions_validated",
        "int_sessions_measured",
    },
    "orders": {
        "orders",
        "order_items",
        "orders_row_breaks",
        "orders_file_checks",
        "orders_file_status",
        "orders_quarantine",
        "int_orders_validated",
        "int_order_items_validated",
    },
}

# What each selection must rebuild (its chain, the marts on it, its anomaly series).
ORDERS_MARTS = {
    "int_orders_deduplicated",
    "int_order_lines_priced",
    "int_orders_pivoted_to_sessions",
    "fct_orders",
    "fct_order_lines",
    "agg_daily_orders",
    "agg_daily_sales",
    "dim_customers",
    "agg_customer_cohorts",
    "fct_sessions",
    "agg_daily_conversion",
    "fct_session_orders",
    "orders_daily_metrics",
    "orders_anomalies",
    "sessions_daily_metrics",
    "sessions_anomalies",
    "anomalies",
}
MUST_INCLUDE = {
    "sessions": OWN_MODELS["sessions"] | ORDERS_MARTS,
    "orders": OWN_MODELS["orders"] | ORDERS_MARTS,
    "products": OWN_MODELS["products"] | ORDERS_MARTS,
    "users": OWN_MODELS["users"] | ORDERS_MARTS,
    "api_logs": OWN_MODELS["api_logs"] | {"anomalies"},
}
# The models a selection may pick beyond its own chain's: the orders chain (cross-source rules)
# and the unions across sources.
UNIONS = {"file_checks", "file_status", "quarantine", "row_breaks", "anomalies"}
MAY_INCLUDE = {
    "sessions": OWN_MODELS["orders"] | ORDERS_MARTS | UNIONS,
    "orders": ORDERS_MARTS | UNIONS,
    "products": OWN_MODELS["orders"] | ORDERS_MARTS | UNIONS,
    "users": OWN_MODELS["orders"] | ORDERS_MARTS | UNIONS,
    "api_logs": UNIONS,
}


def dbt_ls(selector: str, root: DataRoot, tmp_path: Path) -> set[str]:
    """Names of the models `dbt build --select <selector>` would build."""
    done = subprocess.run(
        [
            str(DBT),
            "ls",
            "--select",
            selector,
            "--resource-type",
            "model",
            "--output",
            "name",
            "--quiet",
        ],
        cwd=REPO_ROOT,
        env=subprocess_env(root, tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return {line.strip() for line in done.stdout.splitlines() if line.strip()}


def test_partial_rebuilds_stay_partial(root: DataRoot, tmp_path: Path) -> None:
    # One test, so dbt parses once and the other four listings reuse its partial parse.
    selections = {source: dbt_ls(f"{source}+", root, tmp_path) for source in MUST_INCLUDE}
    problems = []
    for source, selected in selections.items():
        missing = MUST_INCLUDE[source] - selected
        if missing:
            problems.append(f"{source}+ does not rebuild {sorted(missing)}")
        others = set().union(*(models for name, models in OWN_MODELS.items() if name != source))
        dragged = (selected & others) - MAY_INCLUDE[source]
        if dragged:
            problems.append(f"{source}+ drags in {sorted(dragged)}")
        own = OWN_MODELS[source] | {f"{source}_daily_metrics", f"{source}_anomalies"}
        unknown = selected - own - MAY_INCLUDE[source]
        if unknown:
            problems.append(f"{source}+ selects models this test does not know: {sorted(unknown)}")
    # The two big chains share nothing but the unions across sources.
    shared = selections["sessions"] & selections["api_logs"]
    if not shared <= UNIONS:
        problems.append(f"sessions+ and api_logs+ share {sorted(shared - UNIONS)}")
    assert not problems, "\n".join(problems)
