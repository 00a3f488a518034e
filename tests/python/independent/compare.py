"""Row-by-row comparison of a mart read from the warehouse with the independent figures.

Kinds of column:
- `exact`: ids, labels, counts, booleans, dates (compared as equal values);
- `timestamp`: compared as naive UTC datetimes (an aware value is converted to UTC first);
- `money`: both sides rounded to the cent only here (the exact expected value is a Decimal); when
  the exact value sits on a half cent, either neighbouring cent is accepted (the spec fixes no tie
  rule, and a binary double on the pipeline's side may fall either way);
- `rate`: fractions, averages and quantiles, to 1e-9 relative (1e-12 absolute near zero).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from decimal import ROUND_DOWN, ROUND_UP, Decimal
from fractions import Fraction
from typing import Any

CENT = Decimal("0.01")
REL_TOL = 1e-9
ABS_TOL = 1e-12


def as_decimal(value: Any) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, Fraction):
        return Decimal(value.numerator) / Decimal(value.denominator)
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def money_matches(expected: Any, actual: Any) -> bool:
    if expected is None or actual is None:
        return expected is None and actual is None
    exact = as_decimal(expected)
    shown = as_decimal(actual)
    if abs(exact - shown) >= 1:  # far apart: no need for rounding niceties
        return False
    allowed = {exact.quantize(CENT)}  # ROUND_HALF_EVEN by default
    hundredths = exact * 100
    if abs(abs(hundredths - hundredths.to_integral_value(ROUND_DOWN)) - Decimal("0.5")) < Decimal(
        "1e-9"
    ):
        allowed |= {exact.quantize(CENT, ROUND_DOWN), exact.quantize(CENT, ROUND_UP)}
    candidates = {shown.quantize(CENT)}
    shown_hundredths = shown * 100
    if abs(
        abs(shown_hundredths - shown_hundredths.to_integral_value(ROUND_DOWN)) - Decimal("0.5")
    ) < Decimal("1e-9"):
        candidates |= {shown.quantize(CENT, ROUND_DOWN), shown.quantize(CENT, ROUND_UP)}
    return bool(allowed & candidates)


def rate_matches(expected: Any, actual: Any) -> bool:
    if expected is None or actual is None:
        return expected is None and actual is None
    return math.isclose(float(expected), float(actual), rel_tol=REL_TOL, abs_tol=ABS_TOL)


def as_utc_naive(value: Any) -> Any:
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def as_date(value: Any) -> Any:
    if isinstance(value, datetime):
        value = as_utc_naive(value)
        if value.time() == datetime.min.time():
            return value.date()
    return value


def normalise(kind: str, value: Any) -> Any:
    if kind == "timestamp":
        return as_utc_naive(value)
    if kind == "date":
        return as_date(value)
    return value


def matches(kind: str, expected: Any, actual: Any) -> bool:
    if kind == "money":
        return money_matches(expected, actual)
    if kind == "rate":
        return rate_matches(expected, actual)
    return normalise(kind, expected) == normalise(kind, actual)


def show(value: Any) -> str:
    if isinstance(value, Fraction):
        return f"{float(value)!r} (exact {value})"
    if isinstance(value, Decimal):
        return f"{value} (~{value.quantize(CENT)})"
    return repr(value)


def key_of(row: dict[str, Any], key_columns: Sequence[str], kinds: dict[str, str]) -> Any:
    parts = tuple(normalise(kinds.get(c, "exact"), row[c]) for c in key_columns)
    return parts[0] if len(parts) == 1 else parts


def index_rows(
    rows: Iterable[dict[str, Any]], key_columns: Sequence[str], kinds: dict[str, str]
) -> tuple[dict[Any, dict[str, Any]], list[Any]]:
    """Rows by key, and the keys that occur more than once."""
    indexed: dict[Any, dict[str, Any]] = {}
    repeated = []
    for row in rows:
        key = key_of(row, key_columns, kinds)
        if key in indexed:
            repeated.append(key)
        indexed[key] = row
    return indexed, repeated


def compare_mart(
    name: str,
    expected: dict[Any, dict[str, Any]],
    actual_rows: list[dict[str, Any]],
    key_columns: Sequence[str],
    kinds: dict[str, str],
    limit: int = 15,
) -> list[str]:
    """Every difference between the expected mart and the pipeline's rows, as readable lines."""
    actual, repeated = index_rows(actual_rows, key_columns, kinds)
    problems = [f"{name}: key {key!r} appears more than once" for key in repeated[:limit]]
    missing = [k for k in expected if k not in actual]
    extra = [k for k in actual if k not in expected]
    problems += [f"{name}: missing row {k!r}: expected {expected[k]!r}" for k in missing[:limit]]
    problems += [f"{name}: unexpected row {k!r}: {actual[k]!r}" for k in extra[:limit]]
    mismatched = 0
    for key, want in expected.items():
        got = actual.get(key)
        if got is None:
            continue
        for column, value in want.items():
            kind = kinds.get(column, "exact")
            if column not in got:
                problems.append(f"{name}: column {column} missing")
                return problems
            if not matches(kind, value, got[column]):
                mismatched += 1
                if mismatched <= limit:
                    problems.append(
                        f"{name}[{key!r}].{column}: expected {show(value)}, "
                        f"pipeline {show(got[column])}"
                    )
    summary = (
        f"{name}: {len(expected)} expected rows, {len(actual)} pipeline rows; "
        f"{len(missing)} missing, {len(extra)} unexpected, {mismatched} mismatched values"
    )
    return [summary, *problems] if problems or mismatched else []
