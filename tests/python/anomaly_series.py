"""Synthetic weekly-seasonal daily series for the anomaly benchmark, built in DuckDB.

Every random draw is a hash of (seed, series, purpose, index), so the series are the same on
every run and every machine with the same DuckDB version, whatever the thread count.

A series is a year (52 weeks, starting on a Monday) of one metric for one `source`:

    expected = level x weekday factor x trend x yearly season
    value    = expected x (1 + noise x N(0, 1)), rounded for row volumes, never below 0
               (skewed metrics such as revenue: expected x exp(noise x N(0, 1)))

with a per-series level, a weekend dip of 20-50% and a small weekday-to-weekday variation.
Shape `weekly` has nothing else; shape `drifting` adds a linear trend of -10% to +25% over the
year and a yearly season of +-8% (what a baseline of earlier weeks lags behind).

Series of kind `clean` carry no incident: their judged days measure false alarms. Series of
kind `incident` carry planted days on every weekday, at least 13 weeks apart so that no planted
day sits in another one's comparable days (12 weeks): the first between weeks 1 and 12 (a zero
day while fewer than 6 comparable days exist, else a zero day or a -50% day), the next ones
13 to 15 weeks later, up to week 50. A -50% day is half of what the day would have been; a
zero day is 0.
"""

from __future__ import annotations

from dataclasses import dataclass

START = "2025-01-06"  # a Monday
WEEKS = 52
LAST_INCIDENT_WEEK = 50  # keeps planted days clear of the settling days at the end
ZERO_SHARE = 0.25  # share of the planted days with enough history that are zero days


@dataclass(frozen=True)
class Benchmark:
    seed: int
    noise_levels: tuple[float, ...]
    incident_series: int  # per metric, shape and noise level
    clean_series: int  # per metric, shape and noise level
    metrics: tuple[str, ...]
    # Metrics with log-normal noise, exp(noise x N(0, 1)): the skewed ones, scored on the log
    # scale. The others get normal noise, 1 + noise x N(0, 1).
    log_normal_metrics: tuple[str, ...] = ("net_revenue_eur", "api_p95_latency_ms")
    # shape -> (lowest and highest change over the year, amplitude of the yearly season)
    shapes: tuple[tuple[str, float, float, float], ...] = (
        ("weekly", 0.0, 0.0, 0.0),
        ("drifting", -0.10, 0.25, 0.08),
    )


def build_sql(bench: Benchmark, schema: str = "bench") -> str:
    """SQL creating, in `schema`: `series` (metric, source, day, value, denominator: the
    anomaly_scores input), `planted` (metric, source, day, kind, comparable_weeks) and `sources`
    (metric, shape, noise, kind per source)."""
    noise = ", ".join(f"({n!r}::double)" for n in bench.noise_levels)
    metrics = ", ".join(f"('{m}')" for m in bench.metrics)
    log_normal = ", ".join(f"'{m}'" for m in bench.log_normal_metrics) or "null"
    shapes = ", ".join(
        f"('{name}', {low}::double, {high}::double, {season}::double)"
        for name, low, high, season in bench.shapes
    )
    return f"""
create schema if not exists {schema};

create or replace macro {schema}.uniform(a, b, c, d) as
    ((hash({bench.seed}, a, b, c, d) % 1000003) + 0.5) / 1000003.0;

create or replace macro {schema}.normal(a, b, c) as
    sqrt(-2 * ln({schema}.uniform(a, b, c, 1)))
    * cos(2 * pi() * {schema}.uniform(a, b, c, 2));

create or replace table {schema}.sources as
with
noise_levels(noise) as (values {noise}),
metrics(metric) as (values {metrics}),
shapes(shape, trend_low, trend_high, season) as (values {shapes}),
kinds as (
    select 'incident' as kind, range as i from range({bench.incident_series})
    union all
    select 'clean' as kind, range as i from range({bench.clean_series})
)
select
    metric,
    shape,
    noise,
    kind,
    trend_low,
    trend_high,
    season,
    concat_ws('/', metric, shape, 'noise' || cast(round(noise * 100) as integer), kind, i)
        as source
from noise_levels, metrics, shapes, kinds;

create or replace table {schema}.clean_series as
with
days as (
    select
        sources.*,
        day_index,
        cast(date '{START}' + cast(day_index as integer) as date) as day,
        day_index % 7 as weekday_index
    from {schema}.sources, range({7 * WEEKS}) as r(day_index)
),
shaped as (
    select
        *,
        case
            when metric = 'row_volume' then 500 + 20000 * {schema}.uniform(source, 'level', 0, 0)
            else 2000 + 80000 * {schema}.uniform(source, 'level', 0, 0)
        end
        * case
            when weekday_index >= 5
                then 1 - (0.2 + 0.3 * {schema}.uniform(source, 'dip', 0, 0))
                    + 0.05 * ({schema}.uniform(source, 'weekday', weekday_index, 0) - 0.5)
            else 1 + 0.1 * ({schema}.uniform(source, 'weekday', weekday_index, 0) - 0.5)
        end
        * (1 + (trend_low + (trend_high - trend_low) * {schema}.uniform(source, 'trend', 0, 0))
            * day_index / 364)
        * (1 + season * sin(
            2 * pi() * day_index / 365.25
            + 2 * pi() * {schema}.uniform(source, 'season', 0, 0)
        )) as expected
    from days
)
select
    metric,
    source,
    shape,
    noise,
    kind,
    day,
    day_index,
    weekday_index,
    expected,
    case
        when metric in ({log_normal})
            then expected * exp(noise * {schema}.normal(source, 'noise', day_index))
        else greatest(expected * (1 + noise * {schema}.normal(source, 'noise', day_index)), 0)
    end as noisy_value
from shaped;

create or replace table {schema}.planted as
with
slots as (
    select
        sources.metric,
        sources.source,
        weekday_index,
        slot,
        1 + floor(12 * {schema}.uniform(sources.source, 'first', weekday_index, 0))
        + sum(case when slot = 0 then 0
              else 13 + floor(3 * {schema}.uniform(sources.source, 'gap', weekday_index, slot))
              end) over (
            partition by sources.source, weekday_index order by slot
        ) as week
    from {schema}.sources, range(7) as w(weekday_index), range(4) as s(slot)
    where sources.kind = 'incident'
)
select
    metric,
    source,
    cast(date '{START}' + cast(7 * week + weekday_index as integer) as date) as day,
    cast(least(week, 12) as integer) as comparable_weeks,
    case
        when week < 6 then 'zero'
        when {schema}.uniform(source, 'kind', weekday_index, slot) < {ZERO_SHARE} then 'zero'
        else 'drop'
    end as kind
from slots
where week <= {LAST_INCIDENT_WEEK};

create or replace table {schema}.series as
select
    clean.metric,
    clean.source,
    clean.day,
    case
        when planted.kind = 'zero' then 0
        when planted.kind = 'drop' then 0.5 * clean.noisy_value
        else clean.noisy_value
    end as value,
    cast(null as double) as denominator
from {schema}.clean_series as clean
left join {schema}.planted
    on clean.source = planted.source
    and clean.day = planted.day;

update {schema}.series
set value = round(value)
where metric = 'row_volume';
"""
