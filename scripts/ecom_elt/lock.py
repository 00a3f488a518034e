"""One pipeline step at a time per data root: a non-blocking `flock` on `<root>/.pipeline.lock`.

DuckDB lets one process hold the warehouse read-write and no reader beside it, so a second step
started while one runs must stop at once with a clear message instead of failing half-way. Every
step that touches the data root (load, build, report, elt) wraps its work in `pipeline_lock`:

    with pipeline_lock(root, "load"):
        ...

The lock is re-entrant within one process (so `elt` may hold it while it calls `load` and `build`)
and is released by the operating system if the process dies, even by `kill -9`. The lock file is
never deleted (deleting a flock'ed file races with the next taker); it holds a line saying who
has it, for the message the next taker shows.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from ecom_elt.cli import PipelineError
from ecom_elt.paths import DataRoot


class PipelineBusy(PipelineError):
    """Another pipeline step holds the data root's lock."""


_guard = threading.Lock()
_held: dict[Path, list[int]] = {}  # lock file -> [file descriptor, depth]


def _holder(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return ""
    return f" ({text})" if text else ""


@contextmanager
def pipeline_lock(root: DataRoot, step: str = "pipeline") -> Iterator[None]:
    """Hold the data root's single-writer lock for the block, or raise `PipelineBusy` at once."""
    path = root.lock_file.absolute()
    with _guard:
        entry = _held.get(path)
        if entry is not None:  # this process holds it already: nest
            entry[1] += 1
            reentered = True
        else:
            reentered = False
    if not reentered:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise PipelineBusy(
                f"another pipeline step is running on {root.root}{_holder(path)}; "
                f"{step} did nothing - run it again when that step has finished "
                f"(lock file {path})"
            ) from None
        except OSError as exc:
            os.close(fd)
            raise PipelineError(f"cannot lock {path}: {exc.strerror}") from None
        since = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{step}, pid {os.getpid()}, since {since}\n".encode(), 0)
        with _guard:
            _held[path] = [fd, 1]
    try:
        yield
    finally:
        with _guard:
            entry = _held[path]
            entry[1] -= 1
            last = entry[1] == 0
            if last:
                del _held[path]
        if last:
            fcntl.flock(entry[0], fcntl.LOCK_UN)
            os.close(entry[0])
