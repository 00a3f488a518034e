"""kill -9 at any moment: every file ends up wholly loaded once, or not at all; a rerun finishes.

The loader runs in a child process on a data root with one larger file and many small ones
(valid and bad). The test kills it with SIGKILL at varied moments - during the larger file's
insert, and a random few milliseconds after the n-th file's progress line (which lands in
hashing, reading, committing or moving the next file) - restarts it, and repeats until a run
completes on its own. Then every record of every valid file must be in raw.* exactly once with
its row number, every file must sit in the archive or in quarantine, and the manifest must hold
exactly one row per delivered file.
"""

from __future__ import annotations

import gzip
import json
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import subprocess_env
from test_load import (
    ID_COLUMN,
    encode,
    file_name,
    manifest,
    raw_files,
    records,
    valid_file,
    warehouse,
    write,
)

from ecom_elt.paths import DataRoot

BIG_ROWS = 100_000
SMALL_ROWS = 1_000
DAYS = [f"2026-10-{d:02d}" for d in range(2, 9)]
KILLS = 6


def _write_data(root: DataRoot) -> tuple[dict[str, tuple[str, int]], dict[str, str]]:
    """Valid files (name -> (source, rows)) and bad files (name -> expected outcome)."""
    valid: dict[str, tuple[str, int]] = {}
    valid_file(root, "sessions", BIG_ROWS, day="2026-10-01")
    valid[file_name("sessions", "2026-10-01")] = ("sessions", BIG_ROWS)
    for day in DAYS:
        for source, gz in (("sessions", False), ("orders", False), ("api_logs", True)):
            folder = day[:7] if source == "orders" else ""
            valid_file(root, source, SMALL_ROWS, day=day, gz=gz, folder=folder)
            valid[file_name(source, day, gz=gz)] = (source, SMALL_ROWS)
    bad = {
        file_name("users", "2026-10-03"): "rejected",  # semicolons
        file_name("orders", "2026-10-05", suffix="cut"): "rejected",  # truncated
        "notes_2026-10-04.txt": "unknown",
        file_name("orders", "2026-10-07", suffix="again"): "duplicate",
    }
    users = encode("users", records("users", "u", 10)).decode().replace(",", ";")
    write(root, file_name("users", "2026-10-03"), users.encode())
    orders = encode("orders", records("orders", "cut", 10))
    write(root, file_name("orders", "2026-10-05", suffix="cut"), orders[:-7])
    write(root, "notes_2026-10-04.txt", b"not a delivery\n")
    shutil.copy(
        root.raw / "2026-10" / file_name("orders", "2026-10-07"),
        root.raw / file_name("orders", "2026-10-07", suffix="again"),
    )
    return valid, bad


def _run_and_kill(env: dict[str, str], rng: random.Random, first: bool) -> tuple[int | None, bool]:
    """Start the loader; kill it at a chosen moment. (exit code, whether it was killed)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "ecom_elt", "load"],
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stderr is not None
    target = 0 if first else rng.randint(1, 6)
    seen = 0
    started = False
    for line in proc.stderr:
        if "loading from" in line:
            started = True
        if "] " in line and line.split("] ", 1)[0].rsplit("[", 1)[-1][:1].isdigit():
            seen += 1
        if started and seen >= target:
            break
    if proc.poll() is None:
        time.sleep(0.3 if first else rng.uniform(0, 0.05))
        proc.send_signal(signal.SIGKILL)
    proc.stderr.close()
    code = proc.wait(timeout=60)
    return code, code == -signal.SIGKILL


def test_kill_9_at_any_moment_loses_nothing(root: DataRoot, tmp_path: Path) -> None:
    valid, bad = _write_data(root)
    env = subprocess_env(root, tmp_path)
    rng = random.Random(20261001)
    kills = 0
    for attempt in range(KILLS):
        code, killed = _run_and_kill(env, rng, first=attempt == 0)
        kills += killed
        if not killed:
            assert code == 0
            break
    assert kills >= 3, f"only {kills} kills landed; the test did not exercise a crash"
    final = subprocess.run(
        [sys.executable, "-m", "ecom_elt", "load"], env=env, capture_output=True, timeout=120
    )
    assert final.returncode == 0, final.stderr
    assert raw_files(root) == []
    assert not list(root.root.rglob("*.part"))

    rows = manifest(root)
    by_name: dict[str, list[dict[str, object]]] = {}
    for row in rows:
        by_name.setdefault(str(row["file_name"]), []).append(row)
    assert sorted(by_name) == sorted([*valid, *bad])
    assert all(len(v) == 1 for v in by_name.values()), "a file was recorded twice"
    for name, outcome in bad.items():
        row = by_name[name][0]
        assert row["outcome"] == outcome
        assert (root.root / str(row["archived_to"])).is_file()
        assert str(row["archived_to"]).startswith("quarantine/")

    with warehouse(root) as con:
        for name, (source, n) in valid.items():
            row = by_name[name][0]
            assert row["outcome"] == "loaded" and row["row_count"] == n
            assert (root.root / str(row["archived_to"])).is_file()
            assert str(row["archived_to"]).startswith(f"archive/{source}/")
            got = con.execute(
                f'select count(*), count(distinct "{ID_COLUMN[source]}"), '
                f"min(_row_number), max(_row_number), "
                f"count(*) filter (where \"{ID_COLUMN[source]}\" <> ? || ':' || _row_number) "
                f"from raw.{source} where _file_id = ?",
                [name, row["file_id"]],
            ).fetchone()
            assert got == (n, n, 1, n, 0), (name, got)
        for source in ("sessions", "orders", "api_logs", "users"):
            total = con.execute(f"select count(*) from raw.{source}").fetchone()
            expected = sum(n for s, n in valid.values() if s == source)
            assert total == (expected,), source
        orphans = con.execute(
            "select count(*) from raw.sessions where _file_id not in "
            "(select file_id from raw._files where outcome = 'loaded')"
        ).fetchone()
        assert orphans == (0,)
    archived = [p for p in root.archive.rglob("*") if p.is_file()]
    assert len(archived) == len(valid)
    sample = root.root / str(by_name[file_name("api_logs", DAYS[0], gz=True)][0]["archived_to"])
    assert len(gzip.decompress(sample.read_bytes()).splitlines()) == SMALL_ROWS
    assert json.loads(str(by_name[next(iter(bad))][0]["reasons"]))[0]["rule"]
