"""Web sessions: one row per visit, generated hour by hour from `day_hours`.

Inside an hour block, a session's position `k` decides its visitor type (sign-up, returning,
anonymous) and whether it converts, so each day has exactly the planned conversions; every other
attribute is a hash of the session number, so positions and times do not correlate.
Converting sessions draw device and traffic source from the conditional mix (email and desktop
convert better), which gives realistic conversion by channel without per-session coin flips.
"""

from __future__ import annotations

import duckdb

from ecom_elt.generator.plan import FileSpec, Plan
from ecom_elt.generator.randomness import execute
from ecom_elt.generator.rows import RowQuery

ANONYMOUS, RETURNING, SIGNUP = 1, 2, 3
# A visitor's address: IPv4 mostly, IPv6 for some (a documentation-like 2a02: prefix).
_IPV4 = (
    "(1 + mix(140, sid) % 223)::varchar || '.' || "
    "((mix(140, sid) >> 8) % 256)::varchar || '.' || "
    "((mix(140, sid) >> 16) % 256)::varchar || '.' || "
    "(1 + (mix(140, sid) >> 24) % 254)::varchar"
)
_IPV6 = (
    "'2a02:' || lower(to_hex((mix(141, sid) % 65536)::bigint)) || ':' || "
    "lower(to_hex(((mix(141, sid) >> 16) % 65536)::bigint)) || '::' || "
    "lower(to_hex(((mix(141, sid) >> 32) % 65536)::bigint))"
)
CLIENT_IP = f"if(rnd(142, sid) < 0.15, {_IPV6}, {_IPV4})"
BOUNCE_SHARE = 0.36
MAX_DURATION_MS = 4 * 3600 * 1000


def build(con: duckdb.DuckDBPyConnection, plan: Plan) -> None:
    """Create `sessions` (one row per session, typed; rendering happens per file)."""
    options = plan.options
    # The session numbers first (cheap integers): the heavy select below then reads a table,
    # which DuckDB scans on every thread, where an unnest over the small day_hours table would
    # run on one.
    execute(
        con,
        """
        create or replace table session_slots as
        select
            d,
            h,
            day_start,
            first_sid + k as sid,
            k,
            case
                when k < m then 3
                when k < m + r then 2
                else 1
            end::utinyint as visitor,
            (k < cs or (k >= m and k < m + cr)) as converts,
            first_new_user + k as new_user_no
        from (select *, unnest(range(n)) as k from day_hours)
        """,
    )
    execute(
        con,
        """
        create or replace table sessions as
        with drawn as (
            select
                *,
                day_start + to_milliseconds(
                    (h * 3600000 + floor(rnd(11, sid) * 3600000))::bigint
                ) as started_at,
                case
                    when converts then pick(getvariable('device_slots_converting'), rnd(12, sid))
                    when dayofweek(day_start) in (0, 6)
                        then pick(getvariable('device_slots_weekend'), rnd(12, sid))
                    else pick(getvariable('device_slots_weekday'), rnd(12, sid))
                end::utinyint as device,
                case
                    when converts then pick(getvariable('source_slots_converting'), rnd(15, sid))
                    else pick(getvariable('source_slots'), rnd(15, sid))
                end::utinyint as source,
                case
                    when visitor = 2 then 1 + floor($existing_users * pow(rnd(17, sid), 1.6))
                    when visitor = 3 then $existing_users + 1 + new_user_no
                end::bigint as uid,
                not converts and rnd(19, sid) < $bounce_share as bounce,
                pick(getvariable('landing_slots'), rnd(26, sid))::utinyint as landing_kind
            from session_slots
        ),

        shaped as (
            select
                *,
                pick(getvariable('os_slots')[device], rnd(13, sid))::utinyint as os,
                case
                    when visitor = 2 then pick(getvariable('country_slots'), rnd(50, uid))
                    else pick(getvariable('country_slots'), rnd(18, sid))
                end::utinyint as country,
                case
                    when bounce then 1
                    when converts then greatest(4, least(60, 2 + floor(-ln(rnd_open(20, sid)) * 4)))
                    else least(60, 2 + floor(-ln(rnd_open(20, sid)) * 4))
                end::integer as page_views,
                case
                    when landing_kind = 2 then 1 + floor(rnd(27, sid) * $products)
                    when landing_kind = 3 then 1 + floor(rnd(27, sid) * 8)
                end::integer as landing_ref
            from drawn
        ),

        counted as (
            select
                *,
                pick(getvariable('browser_slots')[os], rnd(14, sid))::utinyint as browser,
                case
                    when bounce then if(landing_kind = 2, 1, 0)
                    when converts
                        then greatest(1, floor(page_views * (0.3 + 0.5 * rnd(21, sid))))
                    else floor(page_views * (0.3 + 0.5 * rnd(21, sid)))
                end::integer as product_views,
                least(
                    case
                        when bounce then 3000 + floor(-ln(rnd_open(24, sid)) * 20000)
                        else page_views * (9000 + floor(-ln(rnd_open(25, sid)) * 35000))
                    end,
                    $max_duration_ms
                )::bigint as duration_ms
            from shaped
        )

        select
            sid,
            d,
            visitor,
            converts,
            uid,
            started_at,
            started_at + to_milliseconds(duration_ms) as ended_at,
            duration_ms,
            device,
            os,
            browser,
            source,
            country,
            landing_kind,
            landing_ref,
            page_views,
            product_views,
            case
                when converts then 1 + floor(rnd(22, sid) * 3)
                when product_views > 0 and rnd(23, sid) < 0.18 then 1 + floor(rnd(22, sid) * 2)
                else 0
            end::integer as add_to_cart_count,
            if(visitor = 3, started_at + to_milliseconds(
                floor(duration_ms * (0.1 + 0.3 * rnd(28, sid)))::bigint), null) as signup_at,
            if(converts, started_at + to_milliseconds(
                floor(duration_ms * (0.7 + 0.25 * rnd(29, sid)))::bigint), null) as ordered_at,
            -- Texts (ids, address, campaign) are rendered when a file is written: stored for
            -- 10 M sessions they would take 0.6 GB of memory.
            (1 + floor(rnd(144, sid) * len(getvariable('user_agents')[os])))::utinyint as ua_slot
        from counted
        """,
        {
            "existing_users": options.existing_users,
            "products": options.products,
            "bounce_share": BOUNCE_SHARE,
            "max_duration_ms": MAX_DURATION_MS,
        },
    )
    con.execute("drop table session_slots")  # memory for the tables still to come


EXPRESSIONS = {
    "session_id": "session_key(sid)",
    "user_id": "user_key(uid)",
    "started_at": "iso_ts(started_at, $ts_offset, $ts_ms, $ts_zone)",
    "ended_at": "iso_ts(ended_at, $ts_offset, $ts_ms, $ts_zone)",
    "device_type": "getvariable('device_names')[device]",
    "os": "getvariable('os_names')[os]",
    "browser": "getvariable('browser_names')[browser]",
    "traffic_source": "getvariable('source_names')[source]",
    "campaign": "pick(getvariable('campaigns')[source], rnd(16, sid))",
    "country_code": "getvariable('country_codes')[country]",
    "landing_page": (
        "case landing_kind when 1 then '/' "
        "when 2 then '/products/' || product_key(landing_ref) "
        "when 3 then '/c/' || getvariable('category_names')[landing_ref] "
        "when 4 then '/search' else '/sale' end"
    ),
    "page_views": "page_views",
    "product_views": "product_views",
    "add_to_cart_count": "add_to_cart_count",
    # Not a contract column: planted as an "extra column" delivery quirk.
    "referrer": "if(source = 6, 'https://partner.example/blog', null)",
}

# Sessions nobody else points at (anonymous, not converting): safe to deliver twice or break.
UNREFERENCED = "visitor = 1 and not converts"


def rows(spec: FileSpec, plan: Plan) -> RowQuery:
    """The sessions of one day (plus, when planted, a few of the day before again)."""
    columns = [c for c in spec.columns if c != spec.dropped_column]
    if spec.extra_column:
        columns.append(spec.extra_column)
    where = "where d = $day"
    params: dict[str, object] = {"day": spec.day_index, **spec.style.params()}
    if spec.redelivered:
        where += (
            f" or sid in (select sid from sessions where d = $day - 1 and {UNREFERENCED}"
            " order by rnd(130, sid) limit $redelivered)"
        )
        params["redelivered"] = spec.redelivered
    return RowQuery(
        source_sql=f"from sessions {where}",
        expressions={c: EXPRESSIONS[c] for c in columns},
        key_expression="session_key(sid)",
        sort_columns=(("started_at", "sid")),
        presort=True,
        params=params,
        batchable=not spec.redelivered,  # LIMIT $redelivered
    )
