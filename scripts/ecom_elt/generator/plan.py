"""The plan: how much happens each day, which days carry an anomaly, and how each file is
delivered (folder, compression, hourly or daily, timestamp style, column order).

Small and pure Python, decided from the seed before any row exists, so the SQL that makes the
rows only has to follow it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from ecom_elt.generator import reference as ref
from ecom_elt.generator.options import GeneratorOptions
from ecom_elt.generator.randomness import prng, prng_choice, prng_normal

SOURCES = ("users", "products", "sessions", "orders", "api_logs")
EXTENSIONS = {
    "users": "csv",
    "products": "json",
    "sessions": "csv",
    "orders": "jsonl",
    "api_logs": "jsonl",
}
FORMATS = {"csv": "csv", "json": "json_array", "jsonl": "json_lines"}

# Day-to-day noise (log-normal sigma, clipped at 2.5 sigma): a weekday-median detector with
# z >= 4 and a 25 % minimum change must never fire on it.
SESSION_NOISE = 0.05
CONVERSION_NOISE = 0.025
NOISE_CLIP = 2.5
BASE_CONVERSION = 0.032
# Conversion by weekday (Monday first): weekend browsing converts a little less on Saturday.
WEEKDAY_CONVERSION = [1.0, 1.0, 1.0, 1.0, 0.98, 0.94, 1.04]
# Anomalies: placed after the detector's cold start (6 earlier same weekdays) and not in the
# last days, where revenue and conversion are still settling.
FIRST_ANOMALY_INDEX = 44
LAST_DAYS_FREE = 3
VOLUME_DROP_FACTOR = 0.4
LATENCY_SPIKE_FACTOR = 3.0
ERROR_BURST_RATE = 0.08
# Delivery habits.
HOURLY_API_SHARE = 0.25
API_GZIP_SHARE = 0.6
OTHER_GZIP_SHARE = 0.12
SHUFFLED_COLUMNS_SHARE = 0.2
BOM_SHARE = 0.04
MILLISECONDS_SHARE = 0.3
OFFSETS = [0, 120, 60, -240, 330]
OFFSET_WEIGHTS = [0.55, 0.2, 0.1, 0.08, 0.07]
FOLDER_STYLES = ["flat", "month", "source"]
FOLDER_WEIGHTS = [0.5, 0.3, 0.2]

CSV_COLUMNS = {
    "users": (
        "user_id", "email", "first_name", "last_name", "country_code", "city", "signup_at",
        "birth_date", "marketing_opt_in", "updated_at",
    ),
    "sessions": (
        "session_id", "user_id", "started_at", "ended_at", "device_type", "os", "browser",
        "traffic_source", "campaign", "country_code", "landing_page", "page_views",
        "product_views", "add_to_cart_count",
    ),
}  # fmt: skip


@dataclass(frozen=True)
class TimestampStyle:
    """How one file writes its timestamps: UTC offset and whether milliseconds are shown."""

    offset_minutes: int = 0
    milliseconds: bool = False

    @property
    def zone(self) -> str:
        if self.offset_minutes == 0:
            return "Z"
        sign = "+" if self.offset_minutes > 0 else "-"
        hours, minutes = divmod(abs(self.offset_minutes), 60)
        return f"{sign}{hours:02d}:{minutes:02d}"

    def params(self) -> dict[str, object]:
        """Named SQL parameters for the iso_ts() macro (plain values, so that the files of a
        batch can each bring their own: see rows.py)."""
        return {"ts_offset": self.offset_minutes, "ts_ms": self.milliseconds,
                "ts_zone": self.zone}  # fmt: skip


@dataclass(frozen=True)
class Anomaly:
    """A planted day the anomaly detector must catch."""

    kind: str  # volume_drop | latency_spike | error_burst
    day_index: int
    day: date
    source: str
    metric: str
    factor: float
    also_affects: tuple[str, ...] = ()


@dataclass(frozen=True)
class DayPlan:
    index: int
    day: date
    weekday: int  # 0 = Monday
    sessions: int
    conversion: float
    latency_factor: float = 1.0
    server_error_rate: float = ref.SERVER_ERROR_RATE
    api_hourly: bool = False
    folder_style: str = "flat"


@dataclass(frozen=True)
class FileSpec:
    """One delivered data file: where it goes and how it is written."""

    source: str
    day_index: int
    business_date: date
    folder: str
    gzip: bool
    style: TimestampStyle
    columns: tuple[str, ...] = ()
    suffix: str | None = None
    hour: int | None = None
    bom: bool = False
    # Planted delivery quirks (defects): an extra column, a dropped optional column, and
    # sessions of the day before delivered again.
    extra_column: str | None = None
    dropped_column: str | None = None
    redelivered: int = 0
    role: str = "data"

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.source]

    @property
    def format(self) -> str:
        return FORMATS[self.extension]

    @property
    def name(self) -> str:
        suffix = f"_{self.suffix}" if self.suffix else ""
        gz = ".gz" if self.gzip else ""
        return f"{self.source}_{self.business_date.isoformat()}{suffix}.{self.extension}{gz}"

    @property
    def relative_path(self) -> str:
        """Path inside raw/."""
        return f"{self.folder}/{self.name}" if self.folder else self.name


@dataclass(frozen=True)
class Plan:
    options: GeneratorOptions
    days: tuple[DayPlan, ...]
    anomalies: tuple[Anomaly, ...]
    files: tuple[FileSpec, ...] = field(default=())

    @property
    def quiet_weekdays(self) -> set[int]:
        """Weekdays without an anomaly: defects that move volumes go only on these."""
        return set(range(7)) - {a.day.weekday() for a in self.anomalies}


def _clipped_normal(seed: int, *key: object) -> float:
    return max(-NOISE_CLIP, min(NOISE_CLIP, prng_normal(seed, *key)))


def choose_anomalies(options: GeneratorOptions) -> tuple[Anomaly, ...]:
    """Anomaly days for the defect level: distinct weekdays, after the cold start."""
    if options.defects == "none":
        return ()
    last = options.days - 1 - LAST_DAYS_FREE
    candidates = list(range(FIRST_ANOMALY_INDEX, last + 1))
    kinds = [
        ("volume_drop", "sessions", "row_volume", VOLUME_DROP_FACTOR,
         ("api_logs:row_volume", "orders:net_revenue_eur", "users:row_volume")),
        ("latency_spike", "api_logs", "api_p95_latency_ms", LATENCY_SPIKE_FACTOR, ()),
    ]  # fmt: skip
    if options.defects == "heavy":
        kinds.append(("error_burst", "api_logs", "api_server_error_rate", ERROR_BURST_RATE, ()))
    chosen: list[Anomaly] = []
    for kind, source, metric, factor, also in kinds:
        used = {a.day.weekday() for a in chosen}
        free = [i for i in candidates if (options.start + timedelta(i)).weekday() not in used]
        if not free:
            break
        index = free[int(prng(options.seed, "anomaly", kind) * len(free))]
        day = options.start + timedelta(index)
        chosen.append(Anomaly(kind, index, day, source, metric, factor, also))
    return tuple(chosen)


def build_days(options: GeneratorOptions, anomalies: tuple[Anomaly, ...]) -> tuple[DayPlan, ...]:
    seed = options.seed
    mean_factor = sum(ref.WEEKDAY_FACTORS) / 7
    base = options.sessions_per_day / mean_factor
    by_day = {(a.kind, a.day_index): a for a in anomalies}
    days: list[DayPlan] = []
    for i in range(options.days):
        day = options.start + timedelta(i)
        wd = day.weekday()
        noise = math.exp(SESSION_NOISE * _clipped_normal(seed, "sessions", i))
        factor = ref.WEEKDAY_FACTORS[wd] * noise
        if ("volume_drop", i) in by_day:
            factor *= VOLUME_DROP_FACTOR
        conversion = (
            BASE_CONVERSION
            * WEEKDAY_CONVERSION[wd]
            * math.exp(CONVERSION_NOISE * _clipped_normal(seed, "conversion", i))
        )
        days.append(
            DayPlan(
                index=i,
                day=day,
                weekday=wd,
                sessions=max(1, round(base * factor)),
                conversion=conversion,
                latency_factor=LATENCY_SPIKE_FACTOR if ("latency_spike", i) in by_day else 1.0,
                server_error_rate=(
                    ERROR_BURST_RATE if ("error_burst", i) in by_day else ref.SERVER_ERROR_RATE
                ),
                api_hourly=prng(seed, "api_hourly", i) < HOURLY_API_SHARE,
                folder_style=prng_choice(seed, FOLDER_STYLES, FOLDER_WEIGHTS, "folder", i),
            )
        )
    return tuple(days)


def _folder(style: str, source: str, day: date) -> str:
    if style == "month":
        return day.strftime("%Y-%m")
    if style == "source":
        return source
    return ""


def _style(seed: int, source: str, key: str) -> TimestampStyle:
    offset = prng_choice(seed, OFFSETS, OFFSET_WEIGHTS, "offset", source, key)
    ms = source == "api_logs" or prng(seed, "ms", source, key) < MILLISECONDS_SHARE
    return TimestampStyle(offset, ms)


def _columns(seed: int, source: str, key: str) -> tuple[str, ...]:
    columns = CSV_COLUMNS.get(source, ())
    if columns and prng(seed, "shuffle", source, key) < SHUFFLED_COLUMNS_SHARE:
        return tuple(sorted(columns, key=lambda c: prng(seed, "column", source, key, c)))
    return columns


def build_files(options: GeneratorOptions, days: tuple[DayPlan, ...]) -> tuple[FileSpec, ...]:
    """One file per source and day; API logs per hour on the hourly days."""
    seed = options.seed
    files: list[FileSpec] = []
    for plan in days:
        for source in SOURCES:
            folder = _folder(plan.folder_style, source, plan.day)
            hours: list[int | None] = (
                list(range(24)) if source == "api_logs" and plan.api_hourly else [None]
            )
            for hour in hours:
                key = f"{plan.index}:{hour}"
                share = API_GZIP_SHARE if source == "api_logs" else OTHER_GZIP_SHARE
                files.append(
                    FileSpec(
                        source=source,
                        day_index=plan.index,
                        business_date=plan.day,
                        folder=folder,
                        gzip=prng(seed, "gzip", source, key) < share,
                        style=_style(seed, source, key),
                        columns=_columns(seed, source, key),
                        suffix=f"{hour:02d}" if hour is not None else None,
                        hour=hour,
                        bom=source in CSV_COLUMNS and prng(seed, "bom", source, key) < BOM_SHARE,
                    )
                )
    return tuple(files)


def build_plan(options: GeneratorOptions) -> Plan:
    anomalies = choose_anomalies(options)
    days = build_days(options, anomalies)
    return Plan(options, days, anomalies, build_files(options, days))


def with_files(plan: Plan, files: tuple[FileSpec, ...]) -> Plan:
    return replace(plan, files=files)
