"""The day and hour tables every entity is generated from.

Sessions per (day, hour) and, inside each hour, how many are sign-ups, returning users and
conversions, are split with floor(total * cumulative share): the day's totals are exact and the
hours add up, so conversion and sign-ups per day follow the plan instead of drifting with
sampling noise (which would make a weekday-median anomaly detector cry wolf).
"""

from __future__ import annotations

from datetime import datetime, time

import duckdb

from ecom_elt.generator import reference as ref
from ecom_elt.generator.plan import Plan
from ecom_elt.generator.randomness import execute

SESSIONLESS_ORDER_SHARE = 0.03
BOT_REQUEST_SHARE = 0.10
USER_CHANGE_RATE = 0.0008


def build(con: duckdb.DuckDBPyConnection, plan: Plan) -> None:
    """Create `days`, `hours` and `day_hours`."""
    options = plan.options
    execute(
        con,
        """
        create or replace table days (
            d integer, day date, day_start timestamp, weekday integer, n_sessions bigint,
            conversion double, latency_factor double, server_error_rate double,
            n_sessionless bigint, n_bots bigint, n_user_changes bigint
        )
        """,
    )
    rows = []
    expected_sessionless = 0.0
    for day in plan.days:
        # Orders without a session: a few percent of the conversions, spread so that the
        # running total is exact (a small dataset still gets some).
        before = int(expected_sessionless)
        expected_sessionless += round(day.sessions * day.conversion) * SESSIONLESS_ORDER_SHARE
        rows.append(
            (
                day.index,
                day.day,
                datetime.combine(day.day, time()),
                day.weekday,
                day.sessions,
                day.conversion,
                day.latency_factor,
                day.server_error_rate,
                int(expected_sessionless) - before,
                round(day.sessions * BOT_REQUEST_SHARE),
                0
                if day.index == 0
                else round(
                    options.existing_users * USER_CHANGE_RATE * ref.WEEKDAY_FACTORS[day.weekday]
                ),
            )
        )
    con.executemany("insert into days values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)

    total = sum(ref.HOURLY_WEIGHTS)
    cumulative, hours = 0.0, []
    for h, weight in enumerate(ref.HOURLY_WEIGHTS):
        low = cumulative
        cumulative = 1.0 if h == 23 else cumulative + weight / total
        hours.append((h, low, cumulative))
    con.execute("create or replace table hours (h integer, cum_lo double, cum_hi double)")
    con.executemany("insert into hours values (?, ?, ?)", hours)

    execute(
        con,
        """
        create or replace table day_hours as
        with totals as (
            select
                days.d,
                days.day_start,
                hours.h,
                hours.cum_lo,
                hours.cum_hi,
                days.n_sessions as n_day,
                round(days.n_sessions * $signup_share) as m_day,
                round(days.n_sessions * $returning_share) as r_day,
                round(round(days.n_sessions * $signup_share) * $signup_conversion) as cs_day,
                round(days.n_sessions * days.conversion) as c_day
            from days cross join hours
        ),

        split as (
            select
                d,
                h,
                day_start,
                floor(n_day * cum_hi) - floor(n_day * cum_lo) as n,
                floor(m_day * cum_hi) - floor(m_day * cum_lo) as m,
                floor(r_day * cum_hi) - floor(r_day * cum_lo) as r,
                floor(cs_day * cum_hi) - floor(cs_day * cum_lo) as cs,
                floor(greatest(c_day - cs_day, 0) * cum_hi)
                - floor(greatest(c_day - cs_day, 0) * cum_lo) as cr
            from totals
        ),

        clamped as (
            select
                d,
                h,
                day_start,
                n::bigint as n,
                least(m, n)::bigint as m,
                least(r, n - least(m, n))::bigint as r,
                least(cs, least(m, n))::bigint as cs,
                least(cr, least(r, n - least(m, n)))::bigint as cr
            from split
        )

        select
            *,
            coalesce(sum(n) over (order by d, h rows between unbounded preceding and 1 preceding),
                0)::bigint as first_sid,
            coalesce(sum(m) over (order by d, h rows between unbounded preceding and 1 preceding),
                0)::bigint as first_new_user
        from clamped
        order by d, h
        """,
        {
            "signup_share": ref.SIGNUP_SHARE,
            "returning_share": ref.RETURNING_SHARE,
            "signup_conversion": ref.SIGNUP_CONVERSION,
        },
    )
