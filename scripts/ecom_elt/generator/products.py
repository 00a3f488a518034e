"""The catalogue: products, their price and cost history, and the daily whole-catalogue file.

Each product starts with a version dated before the first day and changes price (and sometimes
cost and stock) zero to three times inside the window, by small symmetric factors, so prices move
without a trend. The file of a day lists every product as it stands at the end of that day;
`updated_at` is the time of its last change.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

import duckdb

from ecom_elt.generator.plan import FileSpec, Plan
from ecom_elt.generator.randomness import execute
from ecom_elt.generator.rows import RowQuery

INACTIVE_SHARE = 0.04
PRICE_SIGMA = 0.55
PRICE_CHANGE_SIGMA = 0.07
COST_CHANGE_SIGMA = 0.03


def build(con: duckdb.DuckDBPyConnection, plan: Plan) -> None:
    """Create `products`, `product_versions` and `product_cdf` (the order-line draw)."""
    options = plan.options
    window_ms = options.days * 86_400_000
    execute(
        con,
        """
        create or replace table products as
        select
            pid,
            pick(getvariable('category_slots'), rnd(70, pid))::utinyint as category,
            rnd(73, pid) as shape,
            exp($price_sigma * greatest(-2.5, least(2.5, rnd_normal(73, pid)))) as price_shape,
            0.35 + 0.3 * rnd(74, pid) as cost_ratio,
            exp(1.1 * rnd_normal(78, pid)) as popularity,
            rnd(76, pid) >= $inactive_share as is_active,
            $start::timestamp - to_milliseconds(
                (86400000 + floor(rnd(79, pid) * 200 * 86400000))::bigint
            ) as created_at,
            case
                when rnd(80, pid) < 0.35 then 0
                when rnd(80, pid) < 0.70 then 1
                when rnd(80, pid) < 0.90 then 2
                else 3
            end as changes
        from (select unnest(range(1, $products + 1)) as pid)
        order by pid
        """,
        {
            "products": options.products,
            "start": plan.days[0].day,
            "price_sigma": PRICE_SIGMA,
            "inactive_share": INACTIVE_SHARE,
        },
    )
    execute(
        con,
        """
        create or replace table product_versions as
        with changes as (
            select
                pid,
                pid * 8 + v as version_key,
                $start::timestamp + to_milliseconds(
                    floor(rnd(81, pid * 8 + v) * $window_ms)::bigint
                ) as updated_at,
                $price_change * greatest(-2.5, least(2.5, rnd_normal(82, pid * 8 + v)))
                    as log_price,
                if(rnd(84, pid * 8 + v) < 0.3,
                    $cost_change * greatest(-2.5, least(2.5, rnd_normal(85, pid * 8 + v))),
                    0.0) as log_cost
            from (select pid, unnest(range(1, changes + 1)) as v from products)
        ),

        all_versions as (
            select pid, pid * 8 as version_key, created_at as updated_at, 0.0 as log_price,
                0.0 as log_cost
            from products
            union all
            select * from changes
        ),

        cumulative as (
            select
                pid,
                version_key,
                updated_at,
                lead(updated_at) over history as valid_to,
                exp(sum(log_price) over history) as price_factor,
                exp(sum(log_cost) over history) as cost_factor
            from all_versions
            window history as (partition by pid order by updated_at, version_key)
        ),

        priced as (
            select
                c.pid,
                c.version_key,
                c.updated_at,
                c.valid_to,
                greatest(0.99, round(
                    getvariable('category_price')[p.category] * p.price_shape * c.price_factor
                ) - 0.01)::decimal(12, 2) as price,
                p.cost_ratio * c.cost_factor as cost_share
            from cumulative as c
            inner join products as p on c.pid = p.pid
        )

        select
            pid,
            version_key,
            updated_at,
            valid_to,
            price,
            round(price * cost_share, 2)::decimal(12, 2) as cost,
            if(rnd(75, version_key) < 0.04, 0,
                floor(-ln(rnd_open(86, version_key)) * 120))::integer as stock_quantity
        from priced
        order by pid, updated_at
        """,
        {
            "start": plan.days[0].day,
            "window_ms": window_ms,
            "price_change": PRICE_CHANGE_SIGMA,
            "cost_change": COST_CHANGE_SIGMA,
        },
    )
    # Order lines draw products by popularity; sorting by price first makes a stratified draw
    # (see orders.py) spread each day's lines evenly over cheap and expensive products.
    execute(
        con,
        """
        create or replace table product_cdf as
        with ranked as (
            select
                p.pid,
                p.popularity,
                sum(p.popularity) over (order by v.price, p.pid) - p.popularity as below,
                sum(p.popularity) over () as total
            from products as p
            inner join product_versions as v on p.pid = v.pid and v.version_key = p.pid * 8
            where p.is_active
        )
        select pid, below / total as cum_lo from ranked order by cum_lo
        """,
    )
    # The text of each product, rendered once: it is the same in every daily file.
    labels = ", ".join(f'{expr} as "{name}"' for name, expr in LABELS.items())
    con.execute(
        f"create or replace table product_labels as select p.pid, {labels} from products as p"
    )


_CATEGORY = "getvariable('category_names')[p.category]"
_ATTRIBUTE_KEYS = "getvariable('category_attributes')[p.category]"

LABELS = {
    "product_id": "product_key(p.pid)",
    "name": (
        "pick(getvariable('brands')[p.category], rnd(72, p.pid)) || ' ' || "
        "pick(getvariable('adjectives'), rnd(87, p.pid)) || ' ' || "
        "pick(getvariable('nouns')[p.category], rnd(88, p.pid)) || ' ' || "
        "(100 + p.pid % 900)::varchar"
    ),
    "category": _CATEGORY,
    "subcategory": "pick(getvariable('subcategories')[p.category], rnd(71, p.pid))",
    "brand": "pick(getvariable('brands')[p.category], rnd(72, p.pid))",
    "is_active": "p.is_active",
    "attributes": (
        "if(rnd(89, p.pid) < 0.05, null, json_merge_patch('{}', json_object("
        f"'color', if(list_contains({_ATTRIBUTE_KEYS}, 'color'), "
        "pick(getvariable('colors'), rnd(90, p.pid)), null), "
        f"'size', if(list_contains({_ATTRIBUTE_KEYS}, 'size'), "
        "pick(getvariable('sizes'), rnd(91, p.pid)), null), "
        f"'weight_kg', if(list_contains({_ATTRIBUTE_KEYS}, 'weight_kg'), "
        "round(0.05 + exp(rnd_normal(92, p.pid)) * 0.6, 2)::decimal(8, 2), null))))"
    ),
}
EXPRESSIONS = {
    "product_id": "l.product_id",
    "name": "l.name",
    "category": "l.category",
    "subcategory": "l.subcategory",
    "brand": "l.brand",
    "price": "v.price",
    "cost": "v.cost",
    "stock_quantity": "v.stock_quantity",
    "is_active": "l.is_active",
    "attributes": "l.attributes",
    "updated_at": "iso_ts(v.updated_at, $ts_offset, $ts_ms, $ts_zone)",
}


def rows(spec: FileSpec, plan: Plan) -> RowQuery:
    """The whole catalogue as it stands at the end of the day."""
    return RowQuery(
        source_sql=(
            "from product_labels as l inner join product_versions as v on l.pid = v.pid "
            "where v.updated_at < $day_end and (v.valid_to is null or v.valid_to >= $day_end)"
        ),
        expressions=dict(EXPRESSIONS),
        key_expression="l.product_id",
        sort_columns=("l.pid",),
        params={"day_end": _day_end(plan, spec.day_index), **spec.style.params()},
    )


def _day_end(plan: Plan, index: int) -> datetime:
    return datetime.combine(plan.days[index].day + timedelta(days=1), time())
