"""Editing single rows of a written file, for planted defects.

Files are written by DuckDB; a defect changes a handful of rows afterwards. The editor keeps
every other line byte for byte and re-serialises only the touched rows with the csv and json
modules (compact separators, like DuckDB), so a row defect never disturbs the rest of the file.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from pathlib import Path
from typing import Any

from ecom_elt.generator.writer import BOM, store_bytes


class FileEditor:
    """The rows of one CSV, JSON Lines or JSON array file, addressable by 1-based row number."""

    def __init__(self, path: Path, fmt: str) -> None:
        self.path = path
        self.fmt = fmt
        self.gzip = path.name.endswith(".gz")
        data = path.read_bytes()
        if self.gzip:
            data = gzip.decompress(data)
        self.bom = data.startswith(BOM)
        text = data[len(BOM) :].decode("utf-8") if self.bom else data.decode("utf-8")
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        if fmt == "csv":
            self.head, self.lines, self.tail = lines[:1], lines[1:], []
            self.header = next(csv.reader(self.head))
        elif fmt == "json_array":
            self.head, self.lines, self.tail = lines[:1], lines[1:-1], lines[-1:]
            self.lines = [line.removeprefix("\t").removesuffix(",") for line in self.lines]
            self.header = []
        else:
            self.head, self.lines, self.tail = [], lines, []
            self.header = []

    def __len__(self) -> int:
        return len(self.lines)

    def get(self, row: int) -> dict[str, Any]:
        line = self.lines[row - 1]
        if self.fmt == "csv":
            return dict(zip(self.header, next(csv.reader([line])), strict=True))
        return json.loads(line)

    def set(self, row: int, values: dict[str, Any]) -> None:
        self.lines[row - 1] = self.render(values)

    def render(self, values: dict[str, Any]) -> str:
        if self.fmt == "csv":
            out = io.StringIO()
            csv.writer(out, lineterminator="\n").writerow(
                [values.get(column, "") for column in self.header]
            )
            return out.getvalue().rstrip("\n")
        return json.dumps(values, ensure_ascii=False, separators=(",", ":"))

    def duplicate(self, row: int) -> int:
        """Repeat a row right after itself; returns the copy's row number."""
        self.lines.insert(row, self.lines[row - 1])
        return row + 1

    def keep(self, rows: int) -> None:
        """Keep only the first `rows` rows."""
        del self.lines[rows:]

    def to_bytes(self) -> bytes:
        if self.fmt == "json_array":
            body = [f"\t{line}," for line in self.lines]
            if body:
                body[-1] = body[-1].removesuffix(",")
            lines = self.head + body + self.tail
        else:
            lines = self.head + self.lines + self.tail
        data = ("\n".join(lines) + "\n").encode("utf-8")
        return BOM + data if self.bom else data

    def save(self, path: Path | None = None, gzip_output: bool | None = None) -> tuple[int, str]:
        """Write the file back (or elsewhere); returns (size, sha256)."""
        target = path or self.path
        compress = self.gzip if gzip_output is None else gzip_output
        return store_bytes(target, self.to_bytes(), compress)
