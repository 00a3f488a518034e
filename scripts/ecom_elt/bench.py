"""`bench`: measure the pipeline the same way every time, and write BENCHMARKS.md.

    python -m ecom_elt bench --scales 1 10 100 [--work-dir DIR] [--memory-limit 2GB]

For each scale it generates a defect-free dataset once (cached under the work folder), then
measures, side by side in one run:

- load: the loader on every file but the last business day's, against a bare DuckDB read of
  the same files (one `create table ... as select * from read_csv/read_json([...])` per source);
  the two alternate three times (each load into a new data root) and the medians are reported,
  with every run's time: a minute-long step varies by several seconds on a shared machine;
- full build: `python -m ecom_elt build` (what `make build` and `make elt` run: `dbt build`
  without unit tests) on that, and how its time splits between dbt (start-up, compiling) and
  DuckDB (executing SQL), from run_results.json;
- one added day: the last day's files loaded and built incrementally, as a share of the full
  build, with its slowest nodes (what an added day still pays for). A step of half a minute
  varies by a few seconds between runs on a shared machine, so the build of the added day is
  run three times from the same state (the warehouse and the exports copied back between runs)
  and the median is reported, with every run's time;
- `build -- --select sessions+` against the full build;
- report: the post-run report;
- peak memory (RSS, including child processes) of every step, the bare read included, under a
  memory budget (default 2 GB; DuckDB gets 70 % of it and spills to disk beyond);
- rows per second through load, build and report together;
- a fresh `elt` (what `make elt` runs) on a new data root, up to scale 10: at the default sample
  it starts from an empty raw/ and so includes generating the sample.

Every step runs as its own process, exactly as `make` runs it. Not a test: timings belong in
BENCHMARKS.md and in notes, not in assertions.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from ecom_elt.cli import UsageError
from ecom_elt.config import load_data_schemas
from ecom_elt.memory import duckdb_memory_limit
from ecom_elt.paths import REPO_ROOT

log = logging.getLogger(__name__)

DATE_IN_NAME = re.compile(r"_(\d{4}-\d{2}-\d{2})")
# A fresh `elt` is measured up to this scale (beyond it, it repeats load + build at length).
ELT_MAX_SCALE = 10
# Runs of the added day's build, from the same state; the median is reported.
ADDED_DAY_RUNS = 3
# Runs of the bare read and the load, alternating; the medians are reported.
LOAD_RUNS = 3
BARE_READERS = {
    "csv": "read_csv({files}, header = true, union_by_name = true)",
    "json_array": "read_json({files}, format = 'array', union_by_name = true)",
    "json_lines": "read_json({files}, format = 'newline_delimited', union_by_name = true)",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--scales", nargs="+", default=["1", "10", "100"], help="generator scales to measure"
    )
    parser.add_argument("--days", default="90", help="business days of each dataset")
    parser.add_argument(
        "--work-dir",
        type=Path,
        default=REPO_ROOT / "data" / "bench",
        help="where datasets are cached and runs happen (default data/bench)",
    )
    parser.add_argument(
        "--memory-limit",
        default="2GB",
        help="memory budget of each step, ECOM_MEMORY_LIMIT (DuckDB gets 70 %% of it)",
    )
    parser.add_argument(
        "--output", type=Path, default=REPO_ROOT / "BENCHMARKS.md", help="the report to write"
    )


@dataclass
class Step:
    seconds: float
    peak_rss_mb: float
    exit_code: int


@dataclass
class ScaleResult:
    scale: str
    files: int = 0
    rows: int = 0
    raw_mb: float = 0.0
    steps: dict[str, Step] = field(default_factory=dict)
    bare_read_seconds: float = 0.0
    dbt_split: dict[str, float] = field(default_factory=dict)
    added_day_slowest: list[tuple[str, float]] = field(default_factory=list)
    added_day_runs: list[float] = field(default_factory=list)
    load_runs: list[tuple[float, float]] = field(default_factory=list)


def run_measured(command: list[str], env: dict[str, str], label: str) -> Step:
    """Run a command as a child process; its wall time and peak RSS (with its descendants)."""
    log.info("%s: %s", label, " ".join(command))
    started = time.monotonic()
    process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.monotonic() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    # ru_maxrss is in KiB; the table gives MB (10^6 bytes), the unit of the budget (2GB)
    step = Step(seconds, usage.ru_maxrss * 1024 / 1e6, process.returncode)
    log.info("%s: %.1f s, peak %.0f MB, exit %d", label, seconds, step.peak_rss_mb, step.exit_code)
    return step


def dataset(work: Path, scale: str, days: str, env: dict[str, str]) -> Path:
    """The cached generated data root of a scale (generated on first use)."""
    folder = work / f"scale-{scale}" / "dataset"
    done = folder / ".complete"
    if not done.exists():
        shutil.rmtree(folder, ignore_errors=True)
        step = run_measured(
            [sys.executable, "-m", "ecom_elt", "generate", "--data-dir", str(folder),
             "--scale", scale, "--days", days, "--defects", "none"],
            env, f"generate scale {scale}",
        )  # fmt: skip
        if step.exit_code:
            raise UsageError(f"generating scale {scale} failed (exit {step.exit_code})")
        done.write_text(f"generated in {step.seconds:.1f} s\n", encoding="utf-8")
    return folder


def split_last_day(files: list[Path]) -> tuple[list[Path], list[Path]]:
    dates = {m.group(1) for f in files if (m := DATE_IN_NAME.search(f.name))}
    last = max(dates)
    held = [f for f in files if f"_{last}" in f.name]
    return [f for f in files if f not in held], held


def place(files: list[Path], source_raw: Path, target_raw: Path) -> None:
    """Hard-link (or copy) files into a run's raw folder, keeping sub-folders."""
    for file in files:
        destination = target_raw / file.relative_to(source_raw)
        destination.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(file, destination)
        except OSError:
            shutil.copy2(file, destination)


def bare_read(files: list[Path], database: Path, memory_limit: str, env: dict[str, str]) -> Step:
    """A bare DuckDB read of the files into tables, one statement per source, in a child
    process (bench_bare.py) like every other step: DuckDB's memory stays out of this process,
    whose size every later child would otherwise report as its own peak (a forked child starts
    with its parent's resident set)."""
    schemas = load_data_schemas()
    by_source: dict[str, list[str]] = {}
    for file in files:
        source = next((s for s in schemas.sources if file.name.startswith(s + "_")), None)
        if source:
            by_source.setdefault(source, []).append(str(file))
    readers = {
        source: BARE_READERS[schemas.sources[source].format].format(files="$files")
        for source in by_source
    }
    plan = database.with_suffix(".json")
    plan.write_text(json.dumps({"files": by_source, "readers": readers}), encoding="utf-8")
    database.unlink(missing_ok=True)
    step = run_measured(
        [sys.executable, "-m", "ecom_elt.bench_bare", str(plan), str(database), memory_limit],
        env, "bare read",
    )  # fmt: skip
    plan.unlink(missing_ok=True)
    database.unlink(missing_ok=True)
    return step


def dbt_split(target: Path) -> dict[str, float]:
    """From run_results.json: DuckDB executing vs dbt compiling and starting, in seconds."""
    results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))
    phases = {"compile": 0.0, "execute": 0.0}
    for result in results["results"]:
        for timing in result.get("timing", []):
            if timing["name"] in phases and timing.get("started_at") and timing.get("completed_at"):
                start = datetime.fromisoformat(timing["started_at"].replace("Z", "+00:00"))
                end = datetime.fromisoformat(timing["completed_at"].replace("Z", "+00:00"))
                phases[timing["name"]] += (end - start).total_seconds()
    phases["elapsed"] = results.get("elapsed_time", 0.0)
    return phases


def slowest_nodes(target: Path, count: int = 8) -> list[tuple[str, float]]:
    """From run_results.json: the nodes that took longest, with their seconds."""
    results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))
    timed = [
        (result["unique_id"].split(".", 2)[-1], float(result.get("execution_time") or 0.0))
        for result in results["results"]
    ]
    return sorted(timed, key=lambda node: node[1], reverse=True)[:count]


def keep_run_results(target: Path, label: str) -> None:
    """Keep a step's run_results.json beside the target folder (the next step overwrites it)."""
    shutil.copy2(target / "run_results.json", target.parent / f"run_results_{label}.json")


def measure_scale(scale: str, args: argparse.Namespace, base_env: dict[str, str]) -> ScaleResult:
    work = args.work_dir.resolve()
    source_root = dataset(work, scale, args.days, base_env)
    source_raw = source_root / "raw"
    files = sorted(p for p in source_raw.rglob("*") if p.is_file())
    result = ScaleResult(scale, files=len(files), raw_mb=sum(f.stat().st_size for f in files) / 1e6)
    base, added = split_last_day(files)

    run_root = work / f"scale-{scale}" / "run"
    env = {
        **base_env,
        "ECOM_DATA_DIR": str(run_root),
        "ECOM_MEMORY_LIMIT": args.memory_limit,
        "DBT_TARGET_PATH": str(run_root / "target"),
        "DBT_LOG_PATH": str(run_root / "logs"),
    }
    ecom = [sys.executable, "-m", "ecom_elt"]
    target = run_root / "target"

    pairs = []
    memory = duckdb_memory_limit(args.memory_limit)
    for number in range(1, LOAD_RUNS + 1):
        shutil.rmtree(run_root, ignore_errors=True)
        place(base, source_raw, run_root / "raw")
        bare = bare_read(base, run_root / "bare.duckdb", memory, env)
        if bare.exit_code:
            raise UsageError(f"the bare read of scale {scale} failed (exit {bare.exit_code})")
        pairs.append((bare, run_measured([*ecom, "load"], env, f"load ({number}/{LOAD_RUNS})")))
    result.load_runs = [(bare.seconds, load.seconds) for bare, load in pairs]
    result.steps["bare read"] = median_step([bare for bare, _ in pairs])
    result.bare_read_seconds = result.steps["bare read"].seconds
    result.steps["load"] = median_step([load for _, load in pairs])
    with duckdb.connect(str(run_root / "warehouse.duckdb"), read_only=True) as con:
        row = con.execute("select coalesce(sum(row_count), 0) from raw._files").fetchone()
        result.rows = int(row[0]) if row else 0
    result.steps["build"] = run_measured([*ecom, "build"], env, "full build")
    result.dbt_split = dbt_split(target)
    keep_run_results(target, "full_build")
    result.steps["report"] = run_measured([*ecom, "report"], env, "report")
    result.steps["sessions+"] = run_measured(
        [*ecom, "build", "--", "--select", "sessions+"], env, "build --select sessions+"
    )
    keep_run_results(target, "sessions_plus")
    place(added, source_raw, run_root / "raw")
    result.steps["added day load"] = run_measured([*ecom, "load"], env, "load one added day")
    runs = build_added_day(run_root, [*ecom, "build"], env)
    result.added_day_runs = [step.seconds for step, _ in runs]
    _, slowest = sorted(runs, key=lambda run: run[0].seconds)[len(runs) // 2]
    result.steps["added day build"] = median_step([step for step, _ in runs])
    result.added_day_slowest = slowest
    if float(scale) <= ELT_MAX_SCALE:
        result.steps["elt"] = measure_elt(scale, args, files, source_raw, env)
    return result


def median_step(steps: list[Step]) -> Step:
    """Runs of one step as one: the median time, the largest peak, the worst exit code."""
    median = sorted(step.seconds for step in steps)[len(steps) // 2]
    return Step(
        median, max(step.peak_rss_mb for step in steps), max(step.exit_code for step in steps)
    )


def build_added_day(
    run_root: Path, command: list[str], env: dict[str, str]
) -> list[tuple[Step, list[tuple[str, float]]]]:
    """Build the loaded added day ADDED_DAY_RUNS times from the same state: each run's step and
    slowest nodes. The warehouse and the exports (whose record decides which day files a build
    rewrites) are copied aside first and copied back before every later run."""
    target = run_root / "target"
    saved = run_root / "before_added_day"
    shutil.rmtree(saved, ignore_errors=True)
    saved.mkdir()
    state = [run_root / "warehouse.duckdb", run_root / "processed"]
    for path in state:
        copy_path(path, saved / path.name)
    runs = []
    for number in range(1, ADDED_DAY_RUNS + 1):
        if number > 1:
            for path in state:
                copy_path(saved / path.name, path)
        step = run_measured(command, env, f"build one added day ({number}/{ADDED_DAY_RUNS})")
        runs.append((step, slowest_nodes(target)))
        keep_run_results(target, f"added_day_{number}")
    shutil.rmtree(saved)
    return runs


def copy_path(source: Path, destination: Path) -> None:
    """Replace `destination` by a copy of the file or folder `source`."""
    if destination.is_dir():
        shutil.rmtree(destination)
    if source.is_dir():
        shutil.copytree(source, destination)
    else:
        shutil.copy2(source, destination)


def measure_elt(
    scale: str, args: argparse.Namespace, files: list[Path], source_raw: Path, env: dict[str, str]
) -> Step:
    """`python -m ecom_elt elt` on a fresh data root, as a new user's `make elt` runs it.

    At the default sample (scale 1, default days) raw/ starts empty, so the run generates the
    embedded sample itself (with its default defects); at other scales the dataset's files are
    placed first and the run loads, builds and reports them.
    """
    elt_root = args.work_dir.resolve() / f"scale-{scale}" / "elt"
    shutil.rmtree(elt_root, ignore_errors=True)
    if not (scale == "1" and args.days == "90"):
        place(files, source_raw, elt_root / "raw")
    elt_env = {
        **env,
        "ECOM_DATA_DIR": str(elt_root),
        "DBT_TARGET_PATH": str(elt_root / "target"),
        "DBT_LOG_PATH": str(elt_root / "logs"),
    }
    return run_measured([sys.executable, "-m", "ecom_elt", "elt"], elt_env, "fresh elt")


def machine() -> str:
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        match = re.search(r"MemTotal:\s+(\d+) kB", meminfo.read_text())
        if match:
            memory = f", {int(match.group(1)) / 1024 / 1024:.0f} GiB memory"
    return f"{os.cpu_count()} cores{memory}, {platform.system()} {platform.machine()}"


def ratio(numerator: float, denominator: float) -> str:
    return f"{numerator / denominator:.2f}" if denominator else "-"


def markdown(results: list[ScaleResult], memory_limit: str) -> str:
    lines = [
        "# Benchmarks",
        "",
        f"Written by `make bench` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: {machine()}; "
        f"memory budget (`ECOM_MEMORY_LIMIT`) {memory_limit} in every step, of which DuckDB's "
        f"memory_limit is {duckdb_memory_limit(memory_limit)} (the bare read too). Each step runs "
        "as its own process as `make` runs it; peak memory is the largest resident set of the "
        "step's processes, in MB of 10^6 bytes (the budget's unit).",
        "",
        "| scale | files | rows | raw MB | bare read s | load s | load / bare | build s "
        "| DuckDB execute s | dbt compile s | added day load s | added day build s "
        "| added day / full build | sessions+ s | sessions+ / full | report s "
        "| rows/s (load+build+report) | peak MB bare read / load / build / report | fresh elt s |",
        "| " + " | ".join(["---"] * 19) + " |",
    ]
    for r in results:
        s = r.steps
        total = s["load"].seconds + s["build"].seconds + s["report"].seconds
        lines.append(
            "| "
            + " | ".join(
                [
                    r.scale,
                    f"{r.files:,}",
                    f"{r.rows:,}",
                    f"{r.raw_mb:,.0f}",
                    f"{r.bare_read_seconds:.1f}",
                    f"{s['load'].seconds:.1f}",
                    ratio(s["load"].seconds, r.bare_read_seconds),
                    f"{s['build'].seconds:.1f}",
                    f"{r.dbt_split.get('execute', 0):.1f}",
                    f"{r.dbt_split.get('compile', 0):.1f}",
                    f"{s['added day load'].seconds:.1f}",
                    f"{s['added day build'].seconds:.1f}",
                    ratio(s["added day build"].seconds, s["build"].seconds),
                    f"{s['sessions+'].seconds:.1f}",
                    ratio(s["sessions+"].seconds, s["build"].seconds),
                    f"{s['report'].seconds:.1f}",
                    f"{r.rows / total:,.0f}" if total else "-",
                    " / ".join(
                        f"{s[k].peak_rss_mb:,.0f}" for k in ("bare read", "load", "build", "report")
                    ),
                    f"{s['elt'].seconds:.1f}" if "elt" in s else "-",
                ]
            )
            + " |"
        )
    failed = [
        f"- scale {r.scale}: {name} exited {step.exit_code}"
        for r in results
        for name, step in r.steps.items()
        if step.exit_code
    ]
    lines += [
        "",
        "DuckDB execute and dbt compile are summed over dbt's nodes (2 threads run nodes side "
        "by side, so the sums can exceed the wall time); the rest of a build is dbt's start-up "
        "and scheduling. Builds run `python -m ecom_elt build` (`dbt build` without unit tests).",
        "",
        f"Fresh elt: `python -m ecom_elt elt` (what `make elt` runs) on a new data root, up to "
        f"scale {ELT_MAX_SCALE}; at the default sample raw/ starts empty, so it includes "
        "generating the embedded sample (with its default defects), as a new user's first "
        "`make elt` does.",
    ]
    for r in results:
        if len(r.load_runs) > 1:
            bares = ", ".join(f"{bare:.1f}" for bare, _ in r.load_runs)
            loads = ", ".join(f"{load:.1f}" for _, load in r.load_runs)
            lines += [
                "",
                f"Load at scale {r.scale}: the bare read and the load ran {len(r.load_runs)} times "
                f"in turn, each load into a new data root (bare read {bares} s; load {loads} s); "
                "the table gives the medians and the largest peaks.",
            ]
        if len(r.added_day_runs) > 1:
            runs = ", ".join(f"{seconds:.1f}" for seconds in r.added_day_runs)
            lines += [
                "",
                f"Added day at scale {r.scale}: the build ran {len(r.added_day_runs)} times from "
                f"the same state ({runs} s); the table gives the median and the largest peak.",
            ]
        if r.added_day_slowest:
            slowest = ", ".join(f"{name} {seconds:.1f}" for name, seconds in r.added_day_slowest)
            lines += [
                "",
                f"Slowest nodes of the added day's median run at scale {r.scale} (s): {slowest}.",
            ]
    if failed:
        lines += ["", "Steps that failed:", *failed]
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    base_env = {**os.environ}
    results = [measure_scale(scale, args, base_env) for scale in args.scales]
    text = markdown(results, args.memory_limit)
    args.output.write_text(text, encoding="utf-8")
    print(text)
    return 0
