"""Turn Python rows into a DuckDB relation, for the dbt Python models that read config/."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any


def to_relation(session: Any, name: str, columns: dict[str, str], rows: Iterable[Sequence[Any]]):
    """A relation over `rows` with the given column types, via a temporary table `_<name>`.

    Values are bound as parameters, never pasted into SQL.
    """
    table = f"_{name}"
    column_sql = ", ".join(f'"{col}" {col_type}' for col, col_type in columns.items())
    session.execute(f"create or replace temp table {table} ({column_sql})")
    rows = list(rows)
    if rows:
        marks = ", ".join("?" for _ in columns)
        session.executemany(f"insert into {table} values ({marks})", rows)
    return session.table(table)
