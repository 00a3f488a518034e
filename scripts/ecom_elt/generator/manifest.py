"""The generator manifest: what was written and every defect planted, for tests and people.

It lives at `<data root>/generator_manifest.json`, outside raw/ (the loader would call it an
unknown file). It holds no timings or absolute paths, so the same options give the same manifest.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

MANIFEST_NAME = "generator_manifest.json"

# What the pipeline should do with each planted defect.
OUTCOMES = {
    "row_quarantined": "the row breaks an error rule: kept aside with its reason, out of the marts",
    "warning": "the row (or file) is kept and counted as a warning",
    "file_rejected": "the whole file is rejected with the named reason; none of its rows count",
    "file_unknown": "the file name names no known source: not loaded, reported as unknown",
    "deduplicated": "the same row, session or file delivered again is counted once",
    "anomaly": "the day is flagged by the anomaly detector for the named metric",
}


@dataclass(frozen=True)
class FileRecord:
    name: str
    path: str  # relative to the data root, e.g. raw/2026-08/users_2026-08-03.csv
    source: str | None
    business_date: str | None
    format: str
    compressed: bool
    rows: int
    bytes: int
    sha256: str
    role: str = "data"  # data | defect (an extra file delivered only to break the contract)


@dataclass(frozen=True)
class DefectRecord:
    kind: str
    expected: str
    source: str | None
    rule: str
    file: str | None = None
    path: str | None = None
    business_date: str | None = None
    row: int | None = None  # 1-based data row inside the file
    key: str | None = None  # the entity key of the row (as generated, before the defect)
    column: str | None = None
    value: Any = None  # the value as delivered (JSON value; CSV text)
    metric: str | None = None
    note: str | None = None


@dataclass
class GeneratorManifest:
    options: dict[str, Any]
    files: list[FileRecord] = field(default_factory=list)
    defects: list[DefectRecord] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)
    volumes: dict[str, Any] = field(default_factory=dict)

    def rows_per_source(self) -> dict[str, int]:
        counts: Counter[str] = Counter()
        for record in self.files:
            if record.role == "data" and record.source:
                counts[record.source] += record.rows
        return dict(counts)

    def as_dict(self) -> dict[str, Any]:
        return {
            "generator": "ecom_elt.generate",
            "options": self.options,
            "outcomes": OUTCOMES,
            "volumes": self.volumes,
            "rows_per_source": self.rows_per_source(),
            "files": [asdict(f) for f in self.files],
            "defects": [
                {k: v for k, v in asdict(d).items() if v is not None} for d in self.defects
            ],
            "skipped_defects": self.skipped,
        }

    def write(self, path: Path) -> None:
        text = json.dumps(self.as_dict(), indent=2, ensure_ascii=False, default=str)
        path.write_text(text + "\n", encoding="utf-8")

    @classmethod
    def read(cls, path: Path) -> GeneratorManifest:
        doc = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            options=doc["options"],
            files=[FileRecord(**f) for f in doc["files"]],
            defects=[DefectRecord(**d) for d in doc["defects"]],
            skipped=doc.get("skipped_defects", []),
            volumes=doc.get("volumes", {}),
        )
