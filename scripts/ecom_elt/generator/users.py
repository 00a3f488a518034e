"""Users: the customers behind sessions and orders, delivered when created or changed.

Users who signed up before the first day arrive in the first day's file (the platform's backfill),
so every later order finds its user on or before its day. New users are the sign-up sessions;
a few existing users change each day (opt-in, city, e-mail) and are delivered again with a new
`updated_at`. A user's name, birth date and country are hashes of the user number, so sessions
and orders can name a user's country without joining.
"""

from __future__ import annotations

import duckdb

from ecom_elt.generator.plan import FileSpec, Plan
from ecom_elt.generator.randomness import execute
from ecom_elt.generator.rows import RowQuery

SIGNUP_HISTORY_DAYS = 1100
BIRTH_DATE_MISSING = 0.15
CITY_MISSING = 0.03
OPT_IN_SHARE = 0.42


def build(con: duckdb.DuckDBPyConnection, plan: Plan) -> None:
    """Create `user_versions`: one row per delivered version of a user, with its file day."""
    options = plan.options
    params = {
        "existing_users": options.existing_users,
        "start": plan.days[0].day,
        "end_ts": options.end,
        "history_ms": SIGNUP_HISTORY_DAYS * 86_400_000,
        "opt_in": OPT_IN_SHARE,
    }
    execute(
        con,
        """
        create or replace table user_changes as
        with drawn as (
            select
                days.d,
                days.day_start,
                (days.d::bigint << 20) + j as change_key
            from (select *, unnest(range(n_user_changes)) as j from days) as days
        ),

        keyed as (
            select
                d,
                1 + floor($existing_users * rnd(60, change_key))::bigint as uid,
                day_start + to_milliseconds(floor(rnd(61, change_key) * 86400000)::bigint)
                    as updated_at,
                1 + floor(rnd(62, change_key) * 3)::integer as kind,
                change_key
            from drawn
        )

        select * from keyed
        qualify row_number() over (partition by uid, d order by updated_at desc, change_key) = 1
        """,
        params,
    )
    execute(
        con,
        "create or replace table existing_ids as "
        "select unnest(range(1, $existing_users + 1)) as uid",
        params,
    )
    execute(
        con,
        """
        create or replace table user_versions as
        with existing as (
            select
                uid,
                $start::timestamp - to_milliseconds(
                    60000 + floor($history_ms * pow(rnd(45, uid), 1.3))::bigint
                ) as signup_at,
                pick(getvariable('country_slots'), rnd(50, uid))::utinyint as country
            from existing_ids
        ),

        backfill as (
            select
                uid,
                signup_at,
                country,
                signup_at + to_milliseconds(floor(
                    (epoch_ms($start::timestamp) - epoch_ms(signup_at)) * rnd(51, uid)
                )::bigint) as updated_at,
                0 as d,
                null::integer as kind,
                0::bigint as change_key
            from existing
        ),

        created as (
            select
                uid,
                signup_at,
                country,
                signup_at as updated_at,
                datediff('day', $start::date, signup_at::date) as d,
                null::integer as kind,
                0::bigint as change_key
            from sessions
            where visitor = 3 and signup_at < $end_ts::timestamp
        ),

        changed as (
            select
                c.uid,
                e.signup_at,
                e.country,
                c.updated_at,
                c.d,
                c.kind,
                c.change_key
            from user_changes as c
            inner join existing as e on c.uid = e.uid
        ),

        -- The state after every change so far: opt-in flips, the latest city, the latest
        -- e-mail variant. Only changed users have a history, so only they are windowed.
        history as (
            select
                uid,
                signup_at,
                updated_at,
                country,
                d,
                coalesce(sum(if(kind = 1, 1, 0)) over past, 0) % 2 = 1 as opt_in_flipped,
                coalesce(last_value(if(kind = 2, change_key, null) ignore nulls) over past, 0)
                    as city_key,
                coalesce(last_value(if(kind = 3, change_key, null) ignore nulls) over past, 0)
                    as email_key
            from changed
            window past as (
                partition by uid order by updated_at
                rows between unbounded preceding and current row
            )
        ),

        versions as (
            select uid, signup_at, updated_at, country, d, false as opt_in_flipped,
                0::bigint as city_key, 0::bigint as email_key
            from backfill
            union all
            select uid, signup_at, updated_at, country, d, false, 0, 0
            from created
            union all
            select * from history
        )

        select
            uid,
            d,
            signup_at,
            updated_at,
            country,
            (rnd(49, uid) < $opt_in) != opt_in_flipped as marketing_opt_in,
            city_key,
            email_key
        from versions
        order by d -- a file's versions sit together: its query reads few row groups
        """,
        params,
    )
    con.execute("drop table existing_ids")


def _city(city_key: str) -> str:
    cities = "getvariable('country_cities')[country]"
    return (
        f"if(rnd(44, uid) < {CITY_MISSING} and {city_key} = 0, null, "
        f"pick({cities}, rnd(43, hash(uid, {city_key}))))"
    )


_FIRST = "1 + floor(rnd(40, uid) * len(getvariable('first_names')))::bigint"
_LAST = "1 + floor(rnd(41, uid) * len(getvariable('last_names')))::bigint"
TS = "$ts_offset, $ts_ms, $ts_zone"

LABELS = {
    "user_id": "user_key(uid)",
    "email": (
        f"getvariable('first_names_ascii')[{_FIRST}] || '.' || "
        f"getvariable('last_names_ascii')[{_LAST}] || (uid % 997)::varchar || "
        "if(email_key = 0, '', '.' || (email_key % 89)::varchar) || '@' || "
        "pick(getvariable('email_domains'), rnd(42, uid))"
    ),
    "first_name": f"getvariable('first_names')[{_FIRST}]",
    "last_name": f"getvariable('last_names')[{_LAST}]",
    "country_code": "getvariable('country_codes')[country]",
    "city": _city("city_key"),
    "birth_date": (
        f"if(rnd(48, uid) < {BIRTH_DATE_MISSING}, null, strftime(signup_at::date "
        "- to_years((16 + floor(rnd(46, uid) * 60))::integer) "
        "- to_days(floor(rnd(47, uid) * 365)::integer), '%Y-%m-%d'))"
    ),
}
# Each version is in exactly one file: its text is rendered when the file is written.
EXPRESSIONS = {
    **LABELS,
    "signup_at": f"iso_ts(signup_at, {TS})",
    "marketing_opt_in": "marketing_opt_in",
    "updated_at": f"iso_ts(updated_at, {TS})",
}


def rows(spec: FileSpec, plan: Plan) -> RowQuery:
    """The users created or changed on one day (the first day: every existing user too)."""
    columns = [c for c in spec.columns if c != spec.dropped_column]
    return RowQuery(
        source_sql="from user_versions where d = $day",
        expressions={c: EXPRESSIONS[c] for c in columns},
        key_expression="user_key(uid)",
        sort_columns=(("uid", "updated_at")),
        presort=True,
        params={"day": spec.day_index, **spec.style.params()},
    )
