"""The generator's arguments, checked once so every later step can trust them."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

from ecom_elt.cli import UsageError

DEFECT_LEVELS = ("none", "default", "heavy")

# Default volumes at scale 1 (about 90 days): the brief's "~100 k sessions, ~500 products".
SESSIONS_PER_90_DAYS = 100_000
PRODUCTS_AT_SCALE_1 = 500
# Users who signed up before the first day (the first users file is their backfill).
EXISTING_USERS_AT_SCALE_1 = 20_000
# Ids are `U` + 7 digits and `P` + 5 digits; keep headroom for the defects' unknown ids.
MAX_USER_ID = 9_000_000
MAX_PRODUCT_ID = 90_000
# Session and request ids are bijections of numbers below 2^32 (32 request slots per session).
MAX_SESSIONS = 2**32 // 32
MAX_DAYS = 3660
MIN_SCALE = 0.01


@dataclass(frozen=True)
class GeneratorOptions:
    """What to generate. Same options, same bytes."""

    days: int = 90
    start: date = date(2026, 8, 3)
    seed: int = 42
    scale: float = 1.0
    defects: str = "default"

    @property
    def end(self) -> date:
        """The day after the last business date (exclusive end of the window)."""
        return self.start + timedelta(days=self.days)

    @property
    def sessions_per_day(self) -> float:
        return SESSIONS_PER_90_DAYS / 90 * self.scale

    @property
    def products(self) -> int:
        # The catalogue grows slower than traffic: at scale 100 it is 5 000, not 50 000,
        # so the daily whole-catalogue file stays a catalogue and not a data dump.
        return max(40, round(PRODUCTS_AT_SCALE_1 * math.sqrt(self.scale)))

    @property
    def existing_users(self) -> int:
        return max(50, round(EXISTING_USERS_AT_SCALE_1 * self.scale))

    def as_dict(self) -> dict[str, Any]:
        values = asdict(self)
        values["start"] = self.start.isoformat()
        return values


def _int(name: str, value: Any) -> int:
    try:
        return int(str(value), 10)
    except ValueError:
        raise UsageError(f"--{name} must be a whole number, got {value!r}") from None


def parse_options(
    days: Any = 90,
    start: Any = "2026-08-03",
    seed: Any = 42,
    scale: Any = 1,
    defects: Any = "default",
) -> GeneratorOptions:
    """Options from command-line text (or values); a bad one raises UsageError with one line."""
    n_days = _int("days", days)
    if not 1 <= n_days <= MAX_DAYS:
        raise UsageError(f"--days must be between 1 and {MAX_DAYS}, got {n_days}")
    if isinstance(start, date):
        first = start
    else:
        try:
            first = date.fromisoformat(str(start))
        except ValueError:
            raise UsageError(f"--start must be a date YYYY-MM-DD, got {start!r}") from None
    if first.year < 1971 or (first + timedelta(days=n_days)).year > 9000:
        raise UsageError(f"--start {first} with --days {n_days} is outside the supported years")
    n_seed = _int("seed", seed)
    if not 0 <= n_seed < 2**63:
        raise UsageError(f"--seed must be between 0 and 2^63-1, got {n_seed}")
    try:
        factor = float(scale)
    except (TypeError, ValueError):
        raise UsageError(f"--scale must be a number such as 1 or 0.05, got {scale!r}") from None
    if not math.isfinite(factor) or factor < MIN_SCALE:
        raise UsageError(f"--scale must be at least {MIN_SCALE}, got {scale!r}")
    level = str(defects)
    if level not in DEFECT_LEVELS:
        raise UsageError(f"--defects must be one of {', '.join(DEFECT_LEVELS)}, got {defects!r}")
    options = GeneratorOptions(n_days, first, n_seed, factor, level)
    users = options.existing_users + options.sessions_per_day * 1.2 * n_days * 0.05
    if users > MAX_USER_ID:
        raise UsageError(
            f"--scale {factor} with --days {n_days} needs about {users:,.0f} user ids, more than "
            f"the {MAX_USER_ID:,} that `U` + 7 digits leaves room for; lower --scale or --days"
        )
    sessions = options.sessions_per_day * 1.3 * n_days
    if sessions > MAX_SESSIONS:
        raise UsageError(
            f"--scale {factor} with --days {n_days} needs about {sessions:,.0f} sessions, more "
            f"than the {MAX_SESSIONS:,} the session and request ids leave room for"
        )
    if options.products > MAX_PRODUCT_ID:
        raise UsageError(f"--scale {factor} needs more product ids than `P` + 5 digits allows")
    return options
