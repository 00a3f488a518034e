{#- Scores daily metric series against the same weekday of previous weeks
    (shared/spec/anomalies.md), with the settings of quality.cfg_anomaly_settings.

    `series`: a relation or CTE with one row per metric, source and day:
    metric, source, day, value, denominator (sessions or requests behind a rate; else null).
    Each day is compared with up to `baseline_weeks` earlier same weekdays, never itself:
    baseline = their median; spread = mean of 1.4826 x MAD and their standard deviation, floored
    by `min_spread_share` of the baseline, for rates by the sampling error sqrt(p(1-p)/n) (p
    smoothed as (p n + 1) / (n + 2), so a baseline of 0 errors still has a spread) and, for
    counts, by their Poisson noise sqrt(baseline) (a source of a few rows a day varies more
    than 5%);
    skewed metrics are scored on ln(1 + value). An anomaly needs |z| >= z_limit, a change in the
    watched direction and a change large enough in business terms; a day with zero rows where
    every comparable day had rows is always one. -#}
{% macro anomaly_scores(series) -%}

with

settings as (

    select * from {{ ref('cfg_anomaly_settings') }}

),

days as (

    select
        series.metric,
        series.source,
        series.day,
        series.value,
        series.denominator,
        settings.baseline_weeks,
        settings.min_history,
        settings.z_limit,
        settings.min_spread_share,
        settings.settle_days,
        settings.is_log_scale,
        settings.is_rate,
        coalesce(settings.is_count, false) as is_count,
        settings.direction,
        settings.min_relative_change,
        settings.min_absolute_change,
        case
            when settings.is_log_scale then ln(1 + greatest(series.value, 0))
            else series.value
        end as scaled_value,
        max(series.day) over (partition by series.metric, series.source) as last_day
    from {{ series }} as series
    inner join settings
        on series.metric = settings.metric

),

comparable as (

    select
        judged.metric,
        judged.source,
        judged.day,
        earlier.value as earlier_value,
        earlier.scaled_value as earlier_scaled_value
    from days as judged
    inner join days as earlier
        on judged.metric = earlier.metric
        and judged.source = earlier.source
        and earlier.day < judged.day
        and {{ dbt.datediff('earlier.day', 'judged.day', 'day') }} % 7 = 0
        and {{ dbt.datediff('earlier.day', 'judged.day', 'day') }} <= 7 * judged.baseline_weeks
    where earlier.value is not null

),

centre as (

    select
        metric,
        source,
        day,
        count(*) as history_days,
        {{ median('earlier_scaled_value') }} as baseline_scaled,
        stddev_samp(earlier_scaled_value) as standard_deviation,
        min(earlier_value) as smallest_earlier_value
    from comparable
    group by metric, source, day

),

deviation as (

    select
        comparable.metric,
        comparable.source,
        comparable.day,
        {{ median('abs(comparable.earlier_scaled_value - centre.baseline_scaled)') }}
            as median_absolute_deviation
    from comparable
    inner join centre
        on comparable.metric = centre.metric
        and comparable.source = centre.source
        and comparable.day = centre.day
    group by comparable.metric, comparable.source, comparable.day

),

spread as (

    select
        days.*,
        coalesce(centre.history_days, 0) as history_days,
        centre.baseline_scaled,
        centre.smallest_earlier_value,
        case
            when days.is_log_scale then exp(centre.baseline_scaled) - 1
            else centre.baseline_scaled
        end as baseline,
        greatest(
            (1.4826 * deviation.median_absolute_deviation
                + coalesce(centre.standard_deviation, 0)) / 2,
            case
                when days.is_log_scale then ln(1 + days.min_spread_share)
                else days.min_spread_share * abs(centre.baseline_scaled)
            end,
            case
                when days.is_rate and days.denominator > 0
                    then sqrt(
                        {{ smoothed_rate('centre.baseline_scaled', 'days.denominator') }}
                        * (1 - {{ smoothed_rate('centre.baseline_scaled', 'days.denominator') }})
                        / days.denominator
                    )
                else 0
            end,
            case
                when days.is_count and not days.is_log_scale
                    then sqrt(greatest(centre.baseline_scaled, 0))
                else 0
            end,
            1e-9
        ) as spread
    from days
    left join centre
        on days.metric = centre.metric
        and days.source = centre.source
        and days.day = centre.day
    left join deviation
        on days.metric = deviation.metric
        and days.source = deviation.source
        and days.day = deviation.day

),

scored as (

    select
        *,
        (scaled_value - baseline_scaled) / spread as z_score,
        value - baseline as absolute_change,
        case when baseline <> 0 then value / baseline - 1 end as relative_change,
        case
            when is_log_scale then exp(baseline_scaled - z_limit * spread) - 1
            else baseline_scaled - z_limit * spread
        end as raw_lower_bound,
        case
            when is_log_scale then exp(baseline_scaled + z_limit * spread) - 1
            else baseline_scaled + z_limit * spread
        end as upper_bound
    from spread

),

judged as (

    select
        *,
        greatest(raw_lower_bound, 0) as lower_bound,
        case direction
            when 'up' then value > baseline
            when 'down' then value < baseline
            else true
        end as is_watched_direction,
        (min_relative_change is null or abs(coalesce(relative_change, 1e9)) >= min_relative_change)
        and (min_absolute_change is null or abs(absolute_change) >= min_absolute_change)
            as is_large_change,
        metric = 'row_volume'
        and value = 0
        and history_days >= 1
        and smallest_earlier_value > 0 as is_missing_day
    from scored

),

final as (

    select
        metric,
        source,
        day,
        value,
        denominator,
        baseline,
        z_score,
        lower_bound,
        upper_bound,
        relative_change,
        absolute_change,
        history_days,
        case
            when is_missing_day then 'anomaly'
            when {{ dbt.datediff('day', 'last_day', 'day') }} < settle_days then 'settling'
            when history_days < min_history then 'insufficient_history'
            when abs(z_score) >= z_limit and is_watched_direction and is_large_change
                then 'anomaly'
            else 'ok'
        end as status,
        'median of the previous ' || cast(history_days as varchar) || ' '
        || {{ weekday_name('day') }} || 's' as baseline_description
    from judged

)

select
    *,
    status = 'anomaly' as is_anomaly
from final

{%- endmacro %}
