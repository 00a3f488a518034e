"""What a file's rows are: one query per file, shared by the writer and the defect planner.

Each source module turns a FileSpec into a RowQuery: a SELECT giving `row_key` (the entity key
the manifest names), hidden sort columns, and one SQL expression per contract column. The writer
orders by the sort columns; the defect planner numbers rows with the same order, so the row
numbers in the manifest are the rows in the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class RowQuery:
    """The rows of one file: `select row_key, <sort columns>, <columns> from ... where ...`."""

    source_sql: str  # FROM/WHERE part, after "select ... "
    expressions: dict[str, str]  # contract column -> SQL expression, in file order
    key_expression: str
    sort_columns: tuple[str, ...]  # SQL expressions; together unique inside the file
    params: dict[str, Any] = field(default_factory=dict)
    # Sort the source rows before rendering them (a quarter cheaper than sorting the rendered
    # text); needs a `source_sql` whose columns are unambiguous under `select *`.
    presort: bool = False

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(self.expressions)

    def select_sql(self, extra: str = "") -> str:
        """The rows with their key, sort columns (`_s1`, `_s2` ...) and contract columns."""
        parts = [f"{self.key_expression} as row_key"]
        parts += [f"{expr} as _s{i}" for i, expr in enumerate(self.sort_columns, 1)]
        parts += [f'{expr} as "{name}"' for name, expr in self.expressions.items()]
        if extra:
            parts.append(extra)
        return "select " + ", ".join(parts) + " " + self.source_sql

    @property
    def order_by(self) -> str:
        return ", ".join(f"_s{i}" for i in range(1, len(self.sort_columns) + 1))

    def file_sql(self) -> str:
        """The query COPY writes: contract columns only, in file order."""
        if self.presort:
            rendered = ", ".join(f'{expr} as "{name}"' for name, expr in self.expressions.items())
            sort = ", ".join(self.sort_columns)
            return f"select {rendered} from (select * {self.source_sql} order by {sort})"
        cols = ", ".join(f'"{name}"' for name in self.expressions)
        return f"select {cols} from ({self.select_sql()}) order by {self.order_by}"

    def numbered_sql(self, extra: str = "") -> str:
        """Every row with its 1-based number in the file (for the defect planner); `extra` adds
        columns computed from the source tables (e.g. whether another source points at the row).
        """
        return (
            f"select row_number() over (order by {self.order_by}) as row_no, * "
            f"from ({self.select_sql(extra)})"
        )
