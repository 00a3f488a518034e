"""Where things live: the repository and the data root ($ECOM_DATA_DIR, default data/)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class DataRoot:
    """The folders of one data root; every path the pipeline writes is under it."""

    root: Path

    @property
    def raw(self) -> Path:
        return self.root / "raw"

    @property
    def archive(self) -> Path:
        return self.root / "archive"

    @property
    def quarantine(self) -> Path:
        return self.root / "quarantine"

    @property
    def quality(self) -> Path:
        return self.root / "quality"

    @property
    def processed(self) -> Path:
        return self.root / "processed"

    @property
    def reports(self) -> Path:
        return self.processed / "reports"

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse.duckdb"

    @property
    def lock_file(self) -> Path:
        return self.root / ".pipeline.lock"


def data_root(root: str | os.PathLike[str] | None = None) -> DataRoot:
    """The data root: the given folder, else $ECOM_DATA_DIR, else data/ in the repository.

    A relative $ECOM_DATA_DIR is taken from the repository root, as dbt (run from there) does.
    """
    chosen = Path(root) if root is not None else Path(os.environ.get("ECOM_DATA_DIR", "data"))
    if not chosen.is_absolute():
        chosen = REPO_ROOT / chosen
    return DataRoot(chosen)
