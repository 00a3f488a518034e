"""Deterministic randomness, in Python for the small plan and in SQL for the rows.

Every pseudo-random number is a pure function of (seed, purpose, entity number): in SQL
`rnd(purpose, i)` hashes them with DuckDB's `hash()`. Nothing depends on thread scheduling or
on the order rows are produced in, so DuckDB can generate rows in parallel and the same options
still give the same bytes. Python draws (which day is hourly, which file is gzipped ...) use
BLAKE2 of the same kind of key, stable across Python versions.

Weighted choices use "slots": a list of 1 000 entries in which each choice appears in
proportion to its weight, so a draw is one list lookup `slots[1 + floor(u * 1000)]`.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Sequence
from typing import Any

import duckdb

from ecom_elt.generator import reference as ref

SLOTS = 1000


def prng(seed: int, *key: object) -> float:
    """A uniform number in [0, 1) for this seed and key."""
    text = "\x1f".join(str(part) for part in (seed, *key)).encode()
    digest = hashlib.blake2b(text, digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def prng_normal(seed: int, *key: object) -> float:
    """A standard normal number for this seed and key (Box-Muller)."""
    u1 = prng(seed, *key, "n1") or 1e-12
    u2 = prng(seed, *key, "n2")
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2 * math.pi * u2)


def prng_choice(seed: int, options: Sequence[Any], weights: Sequence[float], *key: object) -> Any:
    """One of `options`, drawn with `weights`."""
    u = prng(seed, *key) * sum(weights)
    for option, weight in zip(options, weights, strict=True):
        if u < weight:
            return option
        u -= weight
    return options[-1]


def slots(weights: Sequence[float], values: Sequence[Any] | None = None) -> list[Any]:
    """SLOTS entries, each value (default: its 1-based index) in proportion to its weight.

    Largest-remainder rounding, so a weight of 0 never appears and the shares are exact to 0.1 %.
    """
    values = list(values) if values is not None else list(range(1, len(weights) + 1))
    total = sum(weights)
    exact = [w / total * SLOTS for w in weights]
    counts = [math.floor(x) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: exact[i] - counts[i], reverse=True)
    for i in by_remainder[: SLOTS - sum(counts)]:
        counts[i] += 1
    out: list[Any] = []
    for value, count in zip(values, counts, strict=True):
        out.extend([value] * count)
    return out


def _conditional(weights: Sequence[float], factors: Sequence[float]) -> list[float]:
    return [w * f for w, f in zip(weights, factors, strict=True)]


def reference_variables(seed: int) -> dict[str, Any]:
    """The session variables every generator query may read with getvariable()."""
    countries = ref.COUNTRIES
    currencies = list(ref.CURRENCIES)
    return {
        "seed": seed,
        # web traffic
        "device_names": ref.DEVICES,
        "device_slots_weekday": slots(ref.DEVICE_WEIGHTS_WEEKDAY),
        "device_slots_weekend": slots(ref.DEVICE_WEIGHTS_WEEKEND),
        "device_slots_converting": slots(
            _conditional(ref.DEVICE_WEIGHTS_WEEKDAY, ref.DEVICE_CONVERSION)
        ),
        "os_names": ref.OS_NAMES,
        "os_slots": [slots(weights) for weights in ref.OS_BY_DEVICE],
        "browser_names": ref.BROWSERS,
        "browser_slots": [slots(weights) for weights in ref.BROWSER_BY_OS],
        "source_names": ref.TRAFFIC_SOURCES,
        "source_slots": slots(ref.TRAFFIC_WEIGHTS),
        "source_slots_converting": slots(_conditional(ref.TRAFFIC_WEIGHTS, ref.TRAFFIC_CONVERSION)),
        "campaigns": ref.CAMPAIGNS,
        "landing_slots": slots(ref.LANDING_WEIGHTS),
        "user_agents": ref.USER_AGENTS_BY_OS,
        "bot_user_agents": ref.BOT_USER_AGENTS,
        # people and places
        "country_codes": [c[0] for c in countries],
        "country_slots": slots([c[1] for c in countries]),
        "country_currency": [currencies.index(c[2]) + 1 for c in countries],
        "country_cities": [c[3] for c in countries],
        "first_names": [n[0] for n in ref.FIRST_NAMES],
        "first_names_ascii": [n[1] for n in ref.FIRST_NAMES],
        "last_names": [n[0] for n in ref.LAST_NAMES],
        "last_names_ascii": [n[1] for n in ref.LAST_NAMES],
        "email_domains": ref.EMAIL_DOMAINS,
        # catalogue
        "category_names": [c[0] for c in ref.CATEGORIES],
        "category_slots": slots([c[1] for c in ref.CATEGORIES]),
        "category_price": [c[2] for c in ref.CATEGORIES],
        "subcategories": [c[3] for c in ref.CATEGORIES],
        "brands": [c[4] for c in ref.CATEGORIES],
        "nouns": [c[5] for c in ref.CATEGORIES],
        "category_attributes": [list(c[6]) for c in ref.CATEGORIES],
        "adjectives": ref.ADJECTIVES,
        "colors": ref.COLORS,
        "sizes": ref.SIZES,
        # orders
        "currency_codes": currencies,
        "currency_rates": [ref.CURRENCIES[c] for c in currencies],
        "shipping_fees": [ref.SHIPPING_FEES[c] for c in currencies],
        "payment_names": ref.PAYMENT_METHODS,
        "payment_slots": slots(ref.PAYMENT_WEIGHTS),
        "lines_slots": slots(ref.LINES_WEIGHTS),
        "quantity_slots": slots(ref.QUANTITY_WEIGHTS),
        # api
        "endpoint_service": [e[0] for e in ref.ENDPOINTS],
        "endpoint_method": [e[1] for e in ref.ENDPOINTS],
        "endpoint_path": [e[2] for e in ref.ENDPOINTS],
        "endpoint_latency": [e[4] for e in ref.ENDPOINTS],
        "endpoint_bytes": [e[5] for e in ref.ENDPOINTS],
        "endpoint_slots": slots([e[3] for e in ref.ENDPOINTS]),
        "checkout_endpoints": ref.CHECKOUT_ENDPOINTS,
        "bot_endpoints": ref.BOT_ENDPOINTS,
        "created_endpoints": ref.CREATED_ENDPOINTS,
        "client_error_codes": ref.CLIENT_ERROR_CODES,
        "server_error_codes": ref.SERVER_ERROR_CODES,
    }


# Macros shared by every generator query. `mix(purpose, i)` is a 64-bit hash of (seed, purpose,
# entity number); `rnd(purpose, i)` is uniform in [0, 1); `rnd_normal` a standard normal
# (Box-Muller); `pick(slots, u)` a weighted draw.
#
# Why not `hash(seed, purpose, i)`: DuckDB combines the hashes of several arguments almost
# linearly, so two purposes of the same entity came out 97 % correlated. Hashing the entity
# number XOR a per-purpose constant goes through the full 64-bit finaliser instead: measured
# correlation between purposes below 0.002.
MACROS = (
    "create or replace macro mix(purpose, i) as "
    "hash(xor(i::ubigint, hash(getvariable('seed'), purpose)))",
    "create or replace macro rnd(purpose, i) as "
    "(mix(purpose, i) >> 11)::double * 1.1102230246251565e-16",
    "create or replace macro rnd_open(purpose, i) as "
    "((mix(purpose, i) >> 11)::double + 0.5) * 1.1102230246251565e-16",
    "create or replace macro rnd_normal(purpose, i) as "
    "sqrt(-2.0 * ln(rnd_open(purpose, i))) * cos(2 * pi() * rnd(purpose + 1000000, i))",
    "create or replace macro pick(choices, u) as choices[1 + floor(u * len(choices))::bigint]",
    # A timestamp as the contract writes it, at a UTC offset in minutes, with or without
    # milliseconds (strftime wants a constant format, so the choice is a CASE).
    "create or replace macro iso_ts(ts, offset_minutes, ms, zone) as "
    "(case when ms then strftime(ts + to_minutes(offset_minutes), '%Y-%m-%dT%H:%M:%S.%g') "
    "else strftime(ts + to_minutes(offset_minutes), '%Y-%m-%dT%H:%M:%S') end) || zone",
    # Ids: fixed-width numbers behind their letter.
    "create or replace macro user_key(uid) as 'U' || lpad(uid::varchar, 7, '0')",
    "create or replace macro product_key(pid) as 'P' || lpad(pid::varchar, 5, '0')",
    # Session and request ids look random but are a bijection of the number (unique, < 2^32).
    # (8 hex digits: adding 2^32 and dropping the leading 1 is cheaper than lpad.)
    "create or replace macro session_key(sid) as "
    "'S' || to_hex((sid * 2654435761) % 4294967296 + 4294967296)[2:]",
    "create or replace macro request_key(rid) as "
    "'req-' || to_hex((rid * 2246822519) % 4294967296 + 4294967296)[2:]",
    "create or replace macro order_key(oid) as 'ORD' || lpad(oid::varchar, 8, '0')",
    # A text as DuckDB's CSV writer prints a field: null as nothing; quoted, with quotes
    # doubled, when empty or holding a comma, a quote, a line break or '#' (rows.py renders
    # small files in SQL with it; tests compare the bytes with COPY's).
    "create or replace macro csv_text(v) as case when v is null then '' "
    "when v = '' or regexp_matches(v, '[\",\\r\\n#]') "
    "then '\"' || replace(v, '\"', '\"\"') || '\"' else v end",
)


def prepare(con: duckdb.DuckDBPyConnection, variables: dict[str, Any]) -> None:
    """Bind the reference variables on this connection (variables are per connection)."""
    for name, value in variables.items():
        con.execute(f"set variable {name} = ?", [value])


def install_macros(con: duckdb.DuckDBPyConnection) -> None:
    """Create the shared macros in the database (visible to every cursor)."""
    for statement in MACROS:
        con.execute(statement)


_PARAM = re.compile(r"\$([a-z_][a-z0-9_]*)")


def execute(
    con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any] | None = None
) -> duckdb.DuckDBPyConnection:
    """Run SQL with the named parameters it uses (DuckDB refuses unused ones)."""
    used = set(_PARAM.findall(sql))
    return con.execute(sql, {k: v for k, v in (params or {}).items() if k in used})
