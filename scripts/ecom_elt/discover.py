"""Find the delivered files under `<root>/raw/` and classify each by its name.

The name pattern, the sources and their extensions come only from `config/data_schemas.json`
(`<source>_<YYYY-MM-DD>[_<suffix>].<ext>[.gz]`). A name is one of:

- a delivery of a known source (`source` set, `name_problem` None);
- a known source's file with a bad name (`source` set, `name_problem` says why: an impossible
  date such as 2026-02-30, the wrong extension, or a name that starts like the source but breaks
  the pattern); the loader rejects it with `invalid_file_name`;
- unknown (`source` None): matches no source; recorded as `unknown` and quarantined.

Hidden files (a name starting with `.`, e.g. `.gitkeep` or an upload in progress) are skipped.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from ecom_elt.config import DataSchemas
from ecom_elt.paths import DataRoot

log = logging.getLogger("ecom_elt.load")


@dataclass(frozen=True)
class NameInfo:
    source: str | None
    business_date: date | None
    suffix: str | None
    gzipped: bool
    name_problem: str | None


@dataclass(frozen=True)
class Delivery:
    """One file found in the landing folder."""

    path: Path  # absolute
    rel_path: str  # relative to the data root, with `/`
    name: str
    size: int
    info: NameInfo
    discovered_at: datetime  # UTC, naive

    @property
    def source(self) -> str | None:
        return self.info.source

    @property
    def business_date(self) -> date | None:
        return self.info.business_date


def classify(name: str, schemas: DataSchemas) -> NameInfo:
    """What the file name says: source, business date, suffix, compression, or its problem."""
    match = schemas.file_name_pattern.match(name)
    gzipped = name.endswith(".gz")
    if match is None or match.group("source") not in schemas.sources:
        prefixed = [s for s in schemas.sources if name.startswith(f"{s}_")]
        if prefixed:
            source = max(prefixed, key=len)
            return NameInfo(
                source,
                None,
                None,
                gzipped,
                f"the name does not follow <source>_<YYYY-MM-DD>[_<suffix>].<ext>[.gz] "
                f"(expected e.g. {source}_2026-10-01.{schemas.sources[source].extension})",
            )
        return NameInfo(None, None, None, gzipped, None)
    source = match.group("source")
    suffix = match.group("suffix")
    gzipped = bool(match.group("compression"))
    text = match.group("business_date")
    try:
        business_date = date.fromisoformat(text)
    except ValueError:
        return NameInfo(source, None, suffix, gzipped, f"{text} is not a real date")
    expected = schemas.sources[source].extension
    extension = match.group("extension")
    if extension != expected:
        return NameInfo(
            source,
            business_date,
            suffix,
            gzipped,
            f"extension .{extension} does not fit {source} (expected .{expected}"
            f" or .{expected}.gz)",
        )
    return NameInfo(source, business_date, suffix, gzipped, None)


def discover(root: DataRoot, schemas: DataSchemas) -> list[Delivery]:
    """Every regular, non-hidden file under raw/: by business date, then name, then path."""
    if not root.raw.is_dir():
        log.warning("no landing folder %s: nothing to load", root.raw)
        return []
    found: list[Delivery] = []
    for folder, dirs, files in os.walk(root.raw):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith("."):
                continue
            path = Path(folder, name)
            try:
                if not path.is_file():
                    continue
                size = path.stat().st_size
            except OSError:  # vanished or unreadable: the next run sees it again
                continue
            found.append(
                Delivery(
                    path=path.absolute(),
                    rel_path=path.relative_to(root.root).as_posix(),
                    name=name,
                    size=size,
                    info=classify(name, schemas),
                    discovered_at=datetime.now(UTC).replace(tzinfo=None),
                )
            )
    found.sort(
        key=lambda d: (d.business_date is None, d.business_date or date.min, d.name, d.rel_path)
    )
    return found
