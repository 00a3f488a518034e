"""The business reports: one CSV per report and one Excel workbook with a sheet per report,
read from the marts named in shared/spec/metrics.md.

Cells are typed (dates as dates, numbers as numbers) and formatted by what the column holds,
read from its name as the house style names columns: `_eur` money with two decimals, `_rate` a
percentage, `_ms`/`_s` durations. A mart a partial run has not built is skipped with a warning.
"""

from __future__ import annotations

import csv
import logging
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

log = logging.getLogger(__name__)

WORKBOOK_NAME = "business_reports.xlsx"


@dataclass(frozen=True)
class BusinessReport:
    name: str  # CSV file stem and sheet name
    title: str
    relation: str
    order_by: tuple[str, ...]


REPORTS = (
    BusinessReport(
        "daily_sales",
        "Daily sales by category",
        "marts.agg_daily_sales",
        ("order_date", "category"),
    ),
    BusinessReport("daily_orders", "Daily orders", "marts.agg_daily_orders", ("order_date",)),
    BusinessReport(
        "conversion",
        "Daily conversion by traffic source and device",
        "marts.agg_daily_conversion",
        ("session_date", "traffic_source", "device_type"),
    ),
    BusinessReport(
        "api_health",
        "API health per day and endpoint",
        "marts.agg_api_health_daily",
        ("request_date", "endpoint"),
    ),
    BusinessReport(
        "cohorts",
        "Monthly customer cohorts",
        "marts.agg_customer_cohorts",
        ("cohort_month", "months_since_first"),
    ),
)


@dataclass(frozen=True)
class Table:
    report: BusinessReport
    columns: tuple[str, ...]
    types: tuple[str, ...]  # DuckDB type names
    rows: list[tuple[Any, ...]]


@dataclass(frozen=True)
class BusinessOutcome:
    csv_files: tuple[Path, ...]
    workbook: Path | None
    row_counts: dict[str, int]
    skipped: dict[str, str]  # report name -> why


def read_table(con: duckdb.DuckDBPyConnection, report: BusinessReport) -> Table:
    schema, name = report.relation.split(".")
    columns = con.execute(
        """
        select column_name, data_type from information_schema.columns
        where table_schema = ? and table_name = ?
        order by ordinal_position
        """,
        [schema, name],
    ).fetchall()
    names = [c[0] for c in columns]
    order = [c for c in report.order_by if c in names] or names[:1]
    order_sql = ", ".join(f'"{c}"' for c in order)  # names read from the catalog, quoted
    rows = con.execute(f"select * from {report.relation} order by {order_sql}").fetchall()
    return Table(report, tuple(names), tuple(c[1] for c in columns), rows)


def number_format(column: str, type_name: str) -> str | None:
    kind = type_name.upper()
    if column.endswith("_rate"):
        return "0.00%"
    if column.endswith("_eur"):
        return "#,##0.00"
    if column.endswith(("_ms", "_s")):
        return "#,##0.0"
    if column.endswith("_month") and kind == "DATE":
        return "yyyy-mm"
    if kind == "DATE":
        return "yyyy-mm-dd"
    if kind.startswith("TIMESTAMP"):
        return "yyyy-mm-dd hh:mm:ss"
    if kind in ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UBIGINT", "UINTEGER"):
        return "#,##0"
    if kind in ("DOUBLE", "FLOAT", "REAL") or kind.startswith("DECIMAL"):
        return "#,##0.00"
    return None


def _cell_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)  # Excel has no time zones; marts hold UTC
    if isinstance(value, list | dict):
        return str(value)
    return value


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def write_csv(table: Table, folder: Path) -> Path:
    path = folder / f"{table.report.name}.csv"
    tmp = path.with_suffix(".csv.tmp")
    with tmp.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(table.columns)
        writer.writerows([_csv_value(v) for v in row] for row in table.rows)
    tmp.replace(path)
    return path


def _add_sheet(workbook: Workbook, table: Table) -> None:
    sheet = workbook.create_sheet(table.report.name)
    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor="305496")
    sheet.append(list(table.columns))
    for cell in sheet[1]:
        cell.font = header_font
        cell.fill = header_fill
        cell.alignment = Alignment(horizontal="center")
    for row in table.rows:
        sheet.append([_cell_value(v) for v in row])
    for index, (column, type_name) in enumerate(zip(table.columns, table.types, strict=True), 1):
        fmt = number_format(column, type_name)
        letter = get_column_letter(index)
        if fmt:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = fmt
        width = max([len(column)] + [len(str(_csv_value(r[index - 1]))) for r in table.rows[:200]])
        sheet.column_dimensions[letter].width = min(max(width + 2, 10), 48)
    sheet.freeze_panes = "A2"
    if table.rows:
        sheet.auto_filter.ref = sheet.dimensions


def write_business_reports(con: duckdb.DuckDBPyConnection, folder: Path) -> BusinessOutcome:
    """Write every report whose mart exists; skip (with a warning) those that do not."""
    have = {
        f"{s}.{t}"
        for s, t in con.execute(
            "select table_schema, table_name from information_schema.tables"
        ).fetchall()
    }
    tables: list[Table] = []
    skipped: dict[str, str] = {}
    for report in REPORTS:
        if report.relation not in have:
            skipped[report.name] = f"{report.relation} does not exist (not built yet?)"
            log.warning("business report %s skipped: %s", report.name, skipped[report.name])
            continue
        tables.append(read_table(con, report))
    if not tables:
        return BusinessOutcome((), None, {}, skipped)
    folder.mkdir(parents=True, exist_ok=True)
    csv_files = tuple(write_csv(t, folder) for t in tables)
    workbook = Workbook()
    workbook.remove(workbook.active)
    for table in tables:
        _add_sheet(workbook, table)
    path = folder / WORKBOOK_NAME
    tmp = path.with_name(path.name + ".tmp")
    workbook.save(tmp)
    tmp.replace(path)
    return BusinessOutcome(csv_files, path, {t.report.name: len(t.rows) for t in tables}, skipped)
