"""The bench's reference read: `python -m ecom_elt.bench_bare PLAN DATABASE MEMORY_LIMIT`.

PLAN is a JSON file {"files": {source: [paths]}, "readers": {source: "read_csv($files, ...)"}}
written by bench.py. Each source becomes one `create table <source> as select * from <reader>`
in a fresh DuckDB file, with DuckDB's memory limit MEMORY_LIMIT (the share of the budget the
loader gives DuckDB), until the database is closed. Run as its own process, so its memory is
measured as a step's and stays out of the bench process.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import duckdb


def main(argv: list[str]) -> int:
    plan_path, database, memory_limit = argv
    plan = json.loads(Path(plan_path).read_text(encoding="utf-8"))
    con = duckdb.connect(database, config={"memory_limit": memory_limit})
    try:
        for source, paths in plan["files"].items():
            reader = plan["readers"][source]
            con.execute(f'create table "{source}" as select * from {reader}', {"files": paths})
    finally:
        con.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
