"""Writing files: DuckDB renders the rows, Python gzips and fingerprints them.

Two ways, the same bytes:

- a large file is one COPY. DuckDB's own gzip writer is single-threaded and much slower than zlib
  at level 1, so for a compressed file DuckDB writes plain text into a named pipe and a Python
  thread compresses it as it comes (no plain copy on disk), with the gzip header's mtime 0
  (zlib's gzip wrapper writes none): the same rows give the same bytes. JSON Lines go through
  DuckDB's CSV writer as one pre-formatted text column (`RowQuery.json_lines_sql`): the JSON
  writer gives the same bytes but, on two threads, spends 40 % more CPU and more wall time than
  on one. Where named pipes do not exist (Windows) the plain file goes through a scratch folder;
- small files are rendered many at a time by one query (`write_batch`, rows.batch_sql), which
  returns each file's text; Python adds the header, gzips, hashes and writes it.

Two files (or batches) are written at a time; zlib and hashlib release the GIL, so threads
suffice.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import threading
import zlib

try:
    import fcntl
except ImportError:  # Windows: no named pipes either
    fcntl = None  # type: ignore[assignment]
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from ecom_elt.generator.plan import FileSpec
from ecom_elt.generator.randomness import execute, prepare
from ecom_elt.generator.rows import RowQuery, batch_sql

log = logging.getLogger("ecom_elt.generate")

CHUNK = 8 * 1024 * 1024
GZIP_LEVEL = 1
PIPE_SIZE = 1024 * 1024
BOM = b"\xef\xbb\xbf"
COPY_OPTIONS = {
    "csv": "(format csv, header true)",
    "json_lines": "(format json)",
    "json_array": "(format json, array true)",
}
# One pre-formatted text column per line, printed as it is (JSON text holds no raw tab).
LINES_OPTIONS = "(format csv, header false, quote '', escape '', delim '\t')"


@dataclass
class WrittenFile:
    """A file as delivered, with its fingerprint."""

    spec: FileSpec
    path: Path
    rows: int
    size: int
    sha256: str


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def gzip_bytes(data: bytes) -> bytes:
    """Deterministic gzip (no name, mtime 0)."""
    packer = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 31)
    return packer.compress(data) + packer.flush()


def compress_file(source: Path, target: Path, prefix: bytes = b"") -> str:
    """Gzip `prefix` + `source` into `target`, streaming; returns the SHA-256 of what it wrote."""
    packer = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 31)
    digest = hashlib.sha256()
    with source.open("rb") as reader, target.open("wb") as writer:

        def emit(data: bytes) -> None:
            digest.update(data)
            writer.write(data)

        emit(packer.compress(prefix))
        while chunk := reader.read(CHUNK):
            emit(packer.compress(chunk))
        emit(packer.flush())
    return digest.hexdigest()


def _compress_stream(fd: int, target: Path, prefix: bytes, result: dict[str, Any]) -> None:
    """Pump a pipe into a gzip file; the digest (or the error) lands in `result`."""
    try:
        packer = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 31)
        digest = hashlib.sha256()
        with os.fdopen(fd, "rb", buffering=0) as reader, target.open("wb") as writer:
            for data in (packer.compress(prefix),):
                digest.update(data)
                writer.write(data)
            while chunk := reader.read(CHUNK):
                out = packer.compress(chunk)
                digest.update(out)
                writer.write(out)
            tail = packer.flush()
            digest.update(tail)
            writer.write(tail)
        result["sha256"] = digest.hexdigest()
    except BaseException as exc:  # reported by the caller
        result["error"] = exc


def store_bytes(target: Path, data: bytes, gzip: bool) -> tuple[int, str]:
    """Write `data` (compressing if asked); returns (size, sha256) of what was written."""
    target.parent.mkdir(parents=True, exist_ok=True)
    payload = gzip_bytes(data) if gzip else data
    target.write_bytes(payload)
    return len(payload), hashlib.sha256(payload).hexdigest()


class FileWriter:
    """Runs COPY jobs on per-thread cursors of one DuckDB connection."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        variables: dict[str, Any],
        raw: Path,
        scratch: Path,
        workers: int,
    ) -> None:
        self.con = con
        self.variables = variables
        self.raw = raw
        self.scratch = scratch
        self.workers = workers
        self._local = threading.local()

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """This thread's cursor, with the reference variables bound."""
        cursor = getattr(self._local, "cursor", None)
        if cursor is None:
            cursor = self.con.cursor()
            prepare(cursor, self.variables)
            self._local.cursor = cursor
        return cursor

    def copy(self, query: str, params: dict[str, Any], target: Path, fmt: str) -> int:
        """COPY a query to a plain file; returns the number of rows."""
        target.parent.mkdir(parents=True, exist_ok=True)
        statement = f"copy ({query}) to $copy_target {COPY_OPTIONS[fmt]}"
        result = execute(self.cursor(), statement, {**params, "copy_target": str(target)})
        row = result.fetchone()
        return int(row[0]) if row else 0

    def _copy_rows(self, rows: RowQuery, target: Path, fmt: str) -> int:
        """COPY a file's rows to `target` in its format; returns the number of rows."""
        if fmt == "json_lines":
            statement = f"copy ({rows.json_lines_sql()}) to $copy_target {LINES_OPTIONS}"
            result = execute(self.cursor(), statement, {**rows.params, "copy_target": str(target)})
            row = result.fetchone()
            return int(row[0]) if row else 0
        return self.copy(rows.file_sql(), rows.params, target, fmt)

    def _copy_compressed(
        self, rows: RowQuery, target: Path, fmt: str, prefix: bytes
    ) -> tuple[int, str]:
        """COPY into a named pipe that a thread gzips into `target`; returns (rows, sha256).

        We hold a write end of the pipe ourselves until COPY returns, so the reader sees the end
        of the data only then, whether DuckDB opened the pipe, wrote and closed it, or failed
        before opening it (no thread is ever left waiting).
        """
        fifo = self.scratch / f"{threading.get_ident()}-{target.name}.fifo"
        os.mkfifo(fifo)
        read_fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
        hold_fd = os.open(fifo, os.O_WRONLY)
        os.set_blocking(read_fd, True)
        with contextlib.suppress(AttributeError, OSError):  # a larger pipe: fewer wake-ups
            fcntl.fcntl(read_fd, fcntl.F_SETPIPE_SZ, PIPE_SIZE)
        result: dict[str, Any] = {}
        pump = threading.Thread(target=_compress_stream, args=(read_fd, target, prefix, result))
        pump.start()
        try:
            count = self._copy_rows(rows, fifo, fmt)
        finally:
            os.close(hold_fd)
            pump.join()
            fifo.unlink()
        if "error" in result:
            raise result["error"]
        return count, result["sha256"]

    def write(self, spec: FileSpec, rows: RowQuery) -> WrittenFile:
        """Write one data file as the spec says (compression, byte-order mark)."""
        target = self.raw / spec.relative_path
        prefix = BOM if spec.bom else b""
        target.parent.mkdir(parents=True, exist_ok=True)
        if spec.gzip and hasattr(os, "mkfifo"):
            count, digest = self._copy_compressed(rows, target, spec.format, prefix)
            return WrittenFile(spec, target, count, target.stat().st_size, digest)
        # The scratch name must not end in .gz: DuckDB would compress it itself (slowly).
        plain = (
            self.scratch / f"{threading.get_ident()}-{spec.name}.plain"
            if spec.gzip or spec.bom
            else target
        )
        count = self._copy_rows(rows, plain, spec.format)
        if spec.gzip:
            digest = compress_file(plain, target, prefix)
            plain.unlink()
        elif spec.bom:
            with plain.open("rb") as reader, target.open("wb") as writer:
                writer.write(prefix)
                while chunk := reader.read(CHUNK):
                    writer.write(chunk)
            plain.unlink()
            digest = sha256_of(target)
        else:
            digest = sha256_of(target)
        return WrittenFile(spec, target, count, target.stat().st_size, digest)

    def write_batch(self, files: list[tuple[FileSpec, RowQuery]]) -> list[WrittenFile]:
        """Write small files of one source and column layout, rendered by one query. A file
        without rows is not written (rows 0, as `write` would report it)."""
        fmt = files[0][0].format
        sql, params = batch_sql([rows for _, rows in files], fmt)
        texts = {
            int(position): (text, int(count))
            for position, text, count in execute(self.cursor(), sql, params).fetchall()
        }
        written = []
        for position, (spec, rows) in enumerate(files):
            target = self.raw / spec.relative_path
            if position not in texts:
                written.append(WrittenFile(spec, target, 0, 0, ""))
                continue
            text, count = texts.pop(position)
            if fmt == "csv":
                text = ",".join(rows.columns) + "\n" + text
            elif fmt == "json_array":
                text = "[\n" + text + "\n]\n"
            data = text.encode("utf-8")
            size, digest = store_bytes(target, BOM + data if spec.bom else data, spec.gzip)
            written.append(WrittenFile(spec, target, count, size, digest))
        return written


def remove_empty_dirs(folder: Path) -> None:
    """Remove empty sub-folders left behind (deepest first)."""
    for path in sorted(folder.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        if path.is_dir() and not any(path.iterdir()):
            os.rmdir(path)
