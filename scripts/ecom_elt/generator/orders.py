"""Orders: placed in converting sessions (and a few without a session), delivered again each day
their status moves.

Lines per order, the product of each line and its quantity are drawn *stratified per day*: the
day's orders (lines) are put in a random order and the i-th of n takes the quantile (i + u) / n.
A day's basket mix then matches the catalogue mix closely, so daily revenue has realistic but
modest noise, as the anomaly detector's no-false-alarm target needs. Prices are the product
version valid at `ordered_at`, converted from EUR at the contract's fixed rates.
"""

from __future__ import annotations

import duckdb

from ecom_elt.generator import reference as ref
from ecom_elt.generator.plan import FileSpec, Plan
from ecom_elt.generator.randomness import execute, slots
from ecom_elt.generator.rows import RowQuery

# One order in FATE_EVERY is cancelled before payment, another one refunded after delivery (4 %).
FATE_EVERY = 25
# Above this price (EUR) a line has quantity 1.
SINGLE_QUANTITY_ABOVE_EUR = 60.0
WELCOME_COUPON_SHARE = 0.6
SALE_DISCOUNT_SHARE = 0.08
HOUR_MS = 3_600_000
DAY_MS = 86_400_000

# Coupons: 1 = the welcome coupon of first orders, then the campaign coupons.
COUPON_CODES = [ref.WELCOME_COUPON[0], *(c[0] for c in ref.COUPONS)]
COUPON_DISCOUNTS = [ref.WELCOME_COUPON[1], *(c[1] for c in ref.COUPONS)]
FREE_SHIPPING_COUPON = COUPON_CODES.index("FREESHIP") + 1
BANK_TRANSFER = ref.PAYMENT_METHODS.index("bank_transfer") + 1


def order_variables() -> dict[str, object]:
    """Session variables the order queries read."""
    campaign_share = sum(c[2] for c in ref.COUPONS)
    return {
        "coupon_codes": COUPON_CODES,
        "coupon_discounts": COUPON_DISCOUNTS,
        "coupon_slots": slots(
            [1 - campaign_share, *(c[2] for c in ref.COUPONS)],
            [None, *range(2, len(COUPON_CODES) + 1)],
        ),
    }


def build(con: duckdb.DuckDBPyConnection, plan: Plan) -> None:
    """Create `orders`, `order_lines`, `order_versions` and `order_rows` (one per file row)."""
    options = plan.options
    params = {
        "start": plan.days[0].day,
        "end_ts": options.end,
        "existing_users": options.existing_users,
        "welcome": WELCOME_COUPON_SHARE,
    }
    execute(
        con,
        """
        create or replace table orders as
        with from_sessions as (
            select sid as source_key, sid, uid, ordered_at, country, visitor
            from sessions
            where converts and ordered_at < $end_ts::timestamp
        ),

        sessionless_keys as (
            select
                (1::bigint << 40) + (d::bigint << 20) + j as source_key,
                day_start
            from (select *, unnest(range(n_sessionless)) as j from days)
        ),

        sessionless_users as (
            select
                source_key,
                null::bigint as sid,
                1 + floor($existing_users * pow(rnd(93, source_key), 1.6))::bigint as uid,
                day_start + to_milliseconds(floor(rnd(94, source_key) * 86400000)::bigint)
                    as ordered_at
            from sessionless_keys
        ),

        sessionless as (
            select
                *,
                pick(getvariable('country_slots'), rnd(50, uid))::utinyint as country,
                2::utinyint as visitor
            from sessionless_users
        ),

        all_orders as (
            select * from from_sessions
            union all
            select * from sessionless
        )

        select
            row_number() over (order by ordered_at, source_key) as oid,
            source_key,
            sid,
            uid,
            ordered_at,
            datediff('day', $start::date, ordered_at::date) as order_day,
            country,
            getvariable('country_currency')[country]::utinyint as currency,
            pick(getvariable('payment_slots'), rnd(95, source_key))::utinyint as payment,
            case
                when visitor = 3 and rnd(96, source_key) < $welcome then 1
                else pick(getvariable('coupon_slots'), rnd(97, source_key))
            end::utinyint as coupon
        from all_orders
        """,
        params,
    )
    execute(
        con,
        """
        create or replace table order_lines as
        with ranked_orders as (
            select
                oid,
                order_day,
                ordered_at,
                currency,
                coupon,
                (row_number() over (partition by order_day order by rnd(100, oid), oid) - 1
                    + rnd(101, oid)) / count(*) over (partition by order_day) as u_lines
            from orders
        ),

        lines as (
            select
                *,
                unnest(range(pick(getvariable('lines_slots'), u_lines))) as line_index
            from ranked_orders
        ),

        stratified as (
            select
                *,
                oid * 8 + line_index as line_key,
                (row_number() over (
                    partition by order_day order by rnd(102, oid * 8 + line_index), oid, line_index
                ) - 1 + rnd(103, oid * 8 + line_index))
                    / count(*) over (partition by order_day) as u_product,
                (row_number() over (
                    partition by order_day order by rnd(104, oid * 8 + line_index), oid, line_index
                ) - 1 + rnd(105, oid * 8 + line_index))
                    / count(*) over (partition by order_day) as u_quantity
            from lines
        ),

        with_product as (
            select s.*, c.pid
            from stratified as s
            asof inner join product_cdf as c on s.u_product >= c.cum_lo
        ),

        priced as (
            select w.*, v.price as price_eur
            from with_product as w
            asof inner join product_versions as v
                on w.pid = v.pid and w.ordered_at >= v.updated_at
        )

        select
            oid,
            line_index + 1 as line_no,
            pid,
            -- Expensive products are bought one at a time; multiples are for the cheap ones.
            if(price_eur > $single_above, 1,
                pick(getvariable('quantity_slots'), u_quantity))::integer as quantity,
            price_eur,
            round(price_eur / getvariable('currency_rates')[currency], 2)::decimal(12, 2)
                as unit_price,
            case
                when coalesce(getvariable('coupon_discounts')[coupon], 0) > 0
                    then getvariable('coupon_discounts')[coupon]
                when rnd(106, line_key) < $sale_share
                    then 0.05 * (1 + floor(rnd(107, line_key) * 6))
                else 0
            end::decimal(3, 2) as discount_pct
        from priced
        """,
        {"sale_share": SALE_DISCOUNT_SHARE, "single_above": SINGLE_QUANTITY_ABOVE_EUR},
    )
    execute(
        con,
        """
        create or replace table order_versions as
        with baskets as (
            select oid, sum(quantity * price_eur * (1 - discount_pct)) as net_eur
            from order_lines
            group by oid
        ),

        -- Fates by systematic sampling over each day's orders sorted by value: every
        -- `fate_every`-th order is cancelled, another every `fate_every`-th refunded. The shares
        -- are the planned ones every day and the lost revenue is a typical slice, not a lottery.
        value_ranked as (
            select
                o.oid,
                o.ordered_at,
                o.payment,
                (row_number() over (partition by o.order_day order by b.net_eur, o.oid) - 1
                    + floor(rnd(110, o.order_day) * $fate_every)) % $fate_every as fate_slot
            from orders as o
            inner join baskets as b on o.oid = b.oid
        ),

        timeline as (
            select
                oid,
                ordered_at,
                payment = $bank_transfer as by_transfer,
                fate_slot = 0 as cancelled,
                fate_slot = $fate_every // 2 as refunded,
                ordered_at + to_milliseconds(if(payment = $bank_transfer,
                    8 * $hour + floor(rnd(112, oid) * 64 * $hour),
                    5000 + floor(rnd(112, oid) * 900000))::bigint) as paid_at
            from value_ranked
        ),

        shipped as (
            select
                *,
                paid_at + to_milliseconds((6 * $hour + floor(rnd(113, oid) * 60 * $hour))::bigint)
                    as shipped_at
            from timeline
        ),

        delivered as (
            select
                *,
                shipped_at + to_milliseconds((20 * $hour + floor(rnd(114, oid) * 4 * $day))::bigint)
                    as delivered_at
            from shipped
        ),

        events as (
            select oid, 0 as seq, 'pending' as status, ordered_at as updated_at from delivered
            union all
            select
                oid,
                1,
                'cancelled',
                ordered_at + to_milliseconds(if(by_transfer, 5 * $day,
                    600000 + floor(rnd(115, oid) * 6 * $hour))::bigint)
            from delivered
            where cancelled
            union all
            select oid, 1, 'paid', paid_at from delivered where not cancelled
            union all
            select oid, 2, 'shipped', shipped_at from delivered where not cancelled
            union all
            select oid, 3, 'delivered', delivered_at from delivered where not cancelled
            union all
            select
                oid,
                4,
                'refunded',
                delivered_at
                + to_milliseconds((2 * $day + floor(rnd(116, oid) * 12 * $day))::bigint)
            from delivered
            where not cancelled and refunded
        )

        -- One version per order and file: the last status of the day.
        select
            oid,
            seq,
            status,
            updated_at,
            datediff('day', $start::date, updated_at::date) as d
        from events
        where updated_at < $end_ts::timestamp
        qualify row_number() over (partition by oid, updated_at::date order by seq desc) = 1
        """,
        {
            "start": plan.days[0].day,
            "end_ts": options.end,
            "bank_transfer": BANK_TRANSFER,
            "fate_every": FATE_EVERY,
            "hour": HOUR_MS,
            "day": DAY_MS,
        },
    )
    execute(
        con,
        """
        create or replace table order_rows as
        with baskets as (
            select
                oid,
                sum(quantity * price_eur) as gross_eur,
                list({
                    'product_id': product_key(pid),
                    'quantity': quantity,
                    'unit_price': unit_price,
                    'discount_pct': discount_pct
                } order by line_no) as items
            from order_lines
            group by oid
        )

        select
            v.d,
            v.oid,
            v.seq,
            v.status,
            v.updated_at,
            o.uid,
            o.sid,
            o.ordered_at,
            o.currency,
            o.payment,
            o.country,
            o.coupon,
            if(o.coupon = $free_shipping or b.gross_eur >= $free_from, 0,
                getvariable('shipping_fees')[o.currency])::decimal(12, 2) as shipping_cost,
            b.items
        from order_versions as v
        inner join orders as o on v.oid = o.oid
        inner join baskets as b on v.oid = b.oid
        order by v.d
        """,
        {"free_shipping": FREE_SHIPPING_COUPON, "free_from": ref.FREE_SHIPPING_FROM_EUR},
    )


TS = "$ts_offset, $ts_ms, $ts_zone"
EXPRESSIONS = {
    "order_id": "order_key(oid)",
    "user_id": "user_key(uid)",
    "session_id": "session_key(sid)",
    "ordered_at": f"iso_ts(ordered_at, {TS})",
    "updated_at": f"iso_ts(updated_at, {TS})",
    "status": "status",
    "currency": "getvariable('currency_codes')[currency]",
    "payment_method": "getvariable('payment_names')[payment]",
    "shipping_country_code": "getvariable('country_codes')[country]",
    "shipping_cost": "shipping_cost",
    "coupon_code": "getvariable('coupon_codes')[coupon]",
    "items": "items",
}


def rows(spec: FileSpec, plan: Plan) -> RowQuery:
    """The orders created or changed on one day, each in its latest state of that day."""
    return RowQuery(
        source_sql="from order_rows where d = $day",
        expressions=dict(EXPRESSIONS),
        key_expression="order_key(oid)",
        sort_columns=(("updated_at", "oid")),
        presort=True,
        params={"day": spec.day_index, **spec.style.params()},
    )
