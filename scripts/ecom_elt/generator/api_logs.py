"""API request logs: the calls each session makes (about two), plus crawlers.

Requests belong to a session and fall inside it; converting sessions also call add-to-cart,
checkout and payment just before the order. Latency is log-normal around each endpoint's median
with a heavy tail of slow outliers; a few percent of calls fail with 4xx and well under one
percent with 5xx. The day plan can multiply latency (a spike) or raise the 5xx rate (a burst).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

import duckdb

from ecom_elt.generator import reference as ref
from ecom_elt.generator.plan import FileSpec, Plan
from ecom_elt.generator.randomness import execute
from ecom_elt.generator.rows import RowQuery
from ecom_elt.generator.sessions import CLIENT_IP

# Request numbers: a session's calls are sid * 32 + j; crawler calls start at 2^31.
CALLS_PER_SESSION = 32
BOT_REQUEST_BASE = 2**31
MAX_SESSION_CALLS = 20
# Mean extra calls per session: floor(Exp) with scale 1.286 has mean 0.85, so ~1.85 per session
# plus checkout calls and crawlers: about 2 requests per session in all.
EXTRA_CALLS_SCALE = 1.286


# The requests of a file's window [$from_ts, $to_ts), generated when the file is written: no
# table holds the 20 M requests of scale 100 (1.6 GB in memory). Every value is a hash of the
# session or crawler number, so a request is the same whichever file's query makes it.
_REQUESTS = """
        with per_session as (
            select
                s.sid,
                s.uid,
                s.ua_slot,
                s.os,
                s.converts,
                s.started_at,
                s.duration_ms,
                s.signup_at,
                s.ordered_at,
                -- texts once per session, not once per call
                session_key(s.sid) as session_id,
                user_key(s.uid) as user_id,
                CLIENT_IP as client_ip,
                days.latency_factor,
                days.server_error_rate,
                least($max_calls, 1 + floor(-ln(rnd_open(120, s.sid)) * $extra_scale))::integer
                    as k
            from sessions as s
            inner join days on s.d = days.d
            -- a session's calls fall between its start and its end
            where s.started_at < $to_ts and s.ended_at >= $from_ts
        ),

        session_calls as (
            select
                *,
                unnest(range(k + if(converts, 3, 0))) as j
            from per_session
        ),

        session_requests as (
            select
                sid * $calls_per_session + j as rid,
                case
                    when j < k then started_at + to_milliseconds(
                        floor(rnd(121, sid * $calls_per_session + j) * duration_ms)::bigint)
                    else started_at + to_milliseconds(floor(
                        epoch_ms(ordered_at - started_at)
                        * (0.8 + 0.05 * (j - k) + 0.04 * rnd(121, sid * $calls_per_session + j))
                    )::bigint)
                end as ts,
                case
                    when j < k then pick(getvariable('endpoint_slots'),
                        rnd(122, sid * $calls_per_session + j))
                    else getvariable('checkout_endpoints')[j - k + 1]
                end::utinyint as endpoint,
                session_id,
                user_id,
                client_ip,
                ua_slot,
                signup_at,
                os,
                latency_factor,
                server_error_rate
            from session_calls
        ),

        bot_requests as (
            select
                $bot_base + first_bot + b as rid,
                day_start + to_milliseconds(floor(rnd(123, $bot_base + first_bot + b)
                    * 86400000)::bigint) as ts,
                pick(getvariable('bot_endpoints'), rnd(122, $bot_base + first_bot + b))::utinyint
                    as endpoint,
                null::varchar as session_id,
                null::varchar as user_id,
                '66.249.' || ((b >> 3) % 64)::varchar || '.' || (b % 250 + 1)::varchar
                    as client_ip,
                (1 + floor(rnd(143, b) * len(getvariable('bot_user_agents'))))::utinyint
                    as ua_slot,
                null::timestamp as signup_at,
                null::utinyint as os,
                latency_factor,
                server_error_rate
            from (
                select *, unnest(range(n_bots)) as b
                from bot_days
                -- a crawler's calls fall in their day
                where day_start < $to_ts and day_start + interval 1 day > $from_ts
            )
        ),

        requests as (
            select * from session_requests
            union all
            select * from bot_requests
        ),

        with_status as (
            select *, rnd(124, rid) as u_status
            from requests
            where ts >= $from_ts and ts < $to_ts
                and ts >= $start_ts::timestamp and ts < $end_ts::timestamp
        ),

        coded as (
            select
                *,
                case
                    when u_status < server_error_rate
                        then pick(getvariable('server_error_codes'), rnd(125, rid))
                    when u_status < server_error_rate + $client_error_rate
                        then pick(getvariable('client_error_codes'), rnd(125, rid))
                    when getvariable('endpoint_method')[endpoint] = 'DELETE'
                        or getvariable('endpoint_bytes')[endpoint] = 0 then 204
                    when list_contains(getvariable('created_endpoints'), endpoint) then 201
                    else 200
                end::usmallint as status_code
            from with_status
        )

        select
            rid,
            ts,
            endpoint,
            status_code,
            round(
                case
                    when status_code = 504 then 5000 + rnd(126, rid) * 25000
                    else getvariable('endpoint_latency')[endpoint]
                        * exp($sigma * rnd_normal(127, rid))
                        * if(rnd(128, rid) < $tail_share, 3 + 9 * rnd(129, rid), 1)
                end * latency_factor,
                1
            )::decimal(10, 1) as latency_ms,
            case
                when status_code >= 400 then 120 + floor(rnd(130, rid) * 300)
                when status_code = 204 then 0
                else floor(getvariable('endpoint_bytes')[endpoint]
                    * exp(0.6 * rnd_normal(131, rid)))
            end::integer as response_bytes,
            if(signup_at is null or ts >= signup_at, user_id, null) as user_id,
            session_id,
            client_ip,
            os,
            ua_slot
        from coded
""".replace("CLIENT_IP", CLIENT_IP)


def build(con: duckdb.DuckDBPyConnection, plan: Plan) -> None:
    """Create `bot_days`: each day's crawler calls and the number of the first one. The
    requests themselves are made file by file (`rows`)."""
    execute(
        con,
        """
        create or replace table bot_days as
        select
            *,
            coalesce(sum(n_bots) over (order by d rows between unbounded preceding
                and 1 preceding), 0) as first_bot
        from days
        """,
    )


def counts(con: duckdb.DuckDBPyConnection, api_rows: int) -> tuple[int, int]:
    """(session requests, crawler requests) among the `api_rows` rows the files got."""
    row = con.execute("select coalesce(sum(n_bots), 0) from bot_days").fetchone()
    bots = int(row[0]) if row else 0
    return api_rows - bots, bots


EXPRESSIONS = {
    "ts": "iso_ts(ts, $ts_offset, $ts_ms, $ts_zone)",
    "request_id": "request_key(rid)",
    "service": "getvariable('endpoint_service')[endpoint]",
    "method": "getvariable('endpoint_method')[endpoint]",
    "endpoint": "getvariable('endpoint_path')[endpoint]",
    "status_code": "status_code",
    "latency_ms": "latency_ms",
    "response_bytes": "response_bytes",
    "user_id": "user_id",
    "session_id": "session_id",
    "client_ip": "client_ip",
    "user_agent": (
        "if(os is null, getvariable('bot_user_agents')[ua_slot], "
        "getvariable('user_agents')[os][ua_slot])"
    ),
}


def rows(spec: FileSpec, plan: Plan) -> RowQuery:
    """The requests of one day, or of one hour on the days delivered hourly."""
    start = datetime.combine(spec.business_date, time())
    if spec.hour is not None:
        start += timedelta(hours=spec.hour)
        end = start + timedelta(hours=1)
    else:
        end = start + timedelta(days=1)
    return RowQuery(
        source_sql=f"from ({_REQUESTS})",
        expressions=dict(EXPRESSIONS),
        key_expression="request_key(rid)",
        sort_columns=(("ts", "rid")),
        presort=True,
        params={
            "from_ts": start,
            "to_ts": end,
            "start_ts": datetime.combine(plan.days[0].day, time()),
            "end_ts": datetime.combine(plan.options.end, time()),
            "max_calls": MAX_SESSION_CALLS,
            "extra_scale": EXTRA_CALLS_SCALE,
            "calls_per_session": CALLS_PER_SESSION,
            "bot_base": BOT_REQUEST_BASE,
            "client_error_rate": ref.CLIENT_ERROR_RATE,
            "sigma": ref.LATENCY_SIGMA,
            "tail_share": ref.LATENCY_TAIL_SHARE,
            **spec.style.params(),
        },
    )
