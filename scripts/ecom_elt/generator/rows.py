"""What a file's rows are: one query per file, shared by the writer and the defect planner.

Each source module turns a FileSpec into a RowQuery: a SELECT giving `row_key` (the entity key
the manifest names), hidden sort columns, and one SQL expression per contract column. The writer
orders by the sort columns; the defect planner numbers rows with the same order, so the row
numbers in the manifest are the rows in the file.

Small files are rendered many at a time (`batch_sql`): one query joins a list of files (one row
of parameters each) with the source's rows and returns each file's whole text, built in SQL the
way DuckDB's CSV and JSON writers print it (`line_expression`), so the bytes are the same as a
COPY of the file would give; a COPY per file costs a statement, a file and a scan of the table
each, which for a few hundred rows is most of the work.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_PARAM = re.compile(r"\$([a-z_][a-z0-9_]*)")
# What goes between the rendered rows of a file, per format (CSV and JSON Lines rows end in a
# newline; a JSON array's elements are indented by a tab and separated by a comma).
_SEPARATOR = {"csv": "", "json_lines": "", "json_array": ",\n"}


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
    # Whether files of this query can be rendered together (`batch_sql`): `source_sql` may use
    # its parameters only where a column could stand (not in LIMIT, for instance).
    batchable: bool = True

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

    def line_expression(self, fmt: str) -> str:
        """One row of the file as text, without its line end, as DuckDB's writers print it:
        CSV fields quoted when needed (csv_text), JSON objects compact with the columns in
        file order (to_json of a struct gives the JSON writer's bytes)."""
        if fmt == "csv":
            return " || ',' || ".join(
                f"csv_text(({e})::varchar)" for e in self.expressions.values()
            )
        struct = ", ".join(f"'{name}': {expr}" for name, expr in self.expressions.items())
        line = f"to_json({{{struct}}})::varchar"
        return f"chr(9) || {line}" if fmt == "json_array" else line

    def json_lines_sql(self) -> str:
        """The file's JSON Lines, one text column per line in file order: DuckDB's CSV writer
        prints it as it is (no quote character) and, unlike the JSON writer, keeps both
        threads busy instead of one thread waiting on the other."""
        sort = ", ".join(self.sort_columns)
        source = f"(select * {self.source_sql} order by {sort})" if self.presort else None
        if source is not None:
            return f"select {self.line_expression('json_lines')} as line from {source}"
        return (
            f"select line from (select {self.line_expression('json_lines')} as line, "
            + ", ".join(f"{expr} as _s{i}" for i, expr in enumerate(self.sort_columns, 1))
            + f" {self.source_sql}) order by {self.order_by}"
        )


def batch_key(query: RowQuery, fmt: str) -> tuple[object, ...]:
    """Files whose queries have the same key can be rendered together (CSV columns may come in
    another order in each file)."""
    columns = sorted(query.expressions.items()) if fmt == "csv" else list(query.expressions.items())
    return (query.source_sql, tuple(columns), query.sort_columns, query.batchable)


def batch_sql(queries: list[RowQuery], fmt: str) -> tuple[str, dict[str, Any]]:
    """One query giving, for each file of `queries` (all of one source and `batch_key`), its
    position in the list, its rendered rows in file order as one text, and their count. A file
    with no rows is absent. Each file's parameters become a row of `_files`, joined with the
    source's rows (`cross join lateral`: DuckDB turns it into one join over the table)."""
    first = queries[0]
    if not first.batchable or any(batch_key(q, fmt) != batch_key(first, fmt) for q in queries):
        raise ValueError("files rendered together must share their query")
    keys = sorted(first.params)
    if fmt == "csv":  # every field once, then each file's order
        names = list(first.expressions)
        fields = ", ".join(f"csv_text(({first.expressions[n]})::varchar)" for n in names)
        line = f"array_to_string(list_select([{fields}], $column_order), ',') || chr(10)"
        orders = [[names.index(n) + 1 for n in q.expressions] for q in queries]
    else:
        end = " || chr(10)" if fmt == "json_lines" else ""
        line = f"{first.line_expression(fmt)}{end}"
        orders = []
    sort = ", ".join(f"{expr} as _s{i}" for i, expr in enumerate(first.sort_columns, 1))
    rows = f"select {line} as _line, {sort} {first.source_sql}"
    rows = _PARAM.sub(lambda m: f"_files.{m.group(1)}", rows)
    unknown = set(_PARAM.findall(" ".join([first.source_sql, *first.expressions.values()])))
    if unknown - set(keys):
        raise ValueError(f"parameters without a value: {sorted(unknown - set(keys))}")
    columns = ["unnest($batch_file) as _file", *(f"unnest($batch_{k}) as {k}" for k in keys)]
    params: dict[str, Any] = {
        "batch_file": list(range(len(queries))),
        "batch_separator": _SEPARATOR[fmt],
        **{f"batch_{k}": [q.params[k] for q in queries] for k in keys},
    }
    if orders:
        columns.append("unnest($batch_column_order) as column_order")
        params["batch_column_order"] = orders
    sql = (
        f"select _file, string_agg(_line, $batch_separator order by {first.order_by}) as _text, "
        f"count(*) as _rows from (select {', '.join(columns)}) as _files "
        f"cross join lateral ({rows}) as _rows group by _file"
    )
    return sql, params
