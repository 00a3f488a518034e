"""The memory budget of a step (`$ECOM_MEMORY_LIMIT`) and DuckDB's share of it.

`ECOM_MEMORY_LIMIT` (default 4GB) is what one step - generate, load, dbt build, report - may
use in all. DuckDB's `memory_limit` bounds only DuckDB's buffers, while the Python process
around it (dbt's manifest and adapters, the loader) needs a few hundred MB more, so DuckDB gets
70 % of the budget and spills to `temp_directory` beyond it. (With 80 %, the full build at 100x
the sample peaked at 2,046 MB under a 2 GB budget: DuckDB 1,600 MB, dbt's process the rest.)
profiles.yml computes the same share for dbt, so `make build` and a bare `dbt build` agree.
"""

from __future__ import annotations

import os
import re

from ecom_elt.cli import UsageError

MEMORY_LIMIT_ENV = "ECOM_MEMORY_LIMIT"
DEFAULT_MEMORY_LIMIT = "4GB"
DUCKDB_PERCENT = 70  # of the budget, for DuckDB
_UNITS = {
    "B": 1,
    "KB": 10**3,
    "MB": 10**6,
    "GB": 10**9,
    "TB": 10**12,
    "KIB": 2**10,
    "MIB": 2**20,
    "GIB": 2**30,
    "TIB": 2**40,
}
_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*([KMGT]I?B|B)", re.IGNORECASE)


def budget_bytes(text: str | None = None) -> int:
    """The step's budget in bytes, from `text` or `$ECOM_MEMORY_LIMIT` (e.g. 2GB, 512MB, 3GiB)."""
    if text is None:
        text = os.environ.get(MEMORY_LIMIT_ENV, "").strip() or DEFAULT_MEMORY_LIMIT
    match = _SIZE.fullmatch(text.strip())
    size = int(float(match.group(1)) * _UNITS[match.group(2).upper()]) if match else 0
    if size < 100 * 10**6:
        raise UsageError(
            f"{MEMORY_LIMIT_ENV}={text!r} is not a memory budget this pipeline accepts: a number "
            "and a unit of at least 100MB (e.g. 2GB, 512MB, 3GiB)"
        )
    return size


def duckdb_memory_limit(text: str | None = None) -> str:
    """DuckDB's memory_limit for a step: 70 % of the budget, in whole MB."""
    return f"{budget_bytes(text) * DUCKDB_PERCENT // 100 // 10**6}MB"
