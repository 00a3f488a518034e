"""The loader: new raw files into `raw.<source>` with lineage, then archive or quarantine them.

`python -m ecom_elt load [--mode move|copy|keep] [--data-dir PATH]`, or `load(root)` from code.

For every file under `<root>/raw/` (see discover.py for names):

1. hash its bytes (SHA-256) and, for a file of a known source, check gzip and UTF-8 in the same
   pass (filecheck.py);
2. bytes already recorded at this very path: nothing new is recorded; the file is only moved to
   where the manifest says it belongs (this is how a run finishes what a crashed run began);
3. a name matching no source: `unknown`; a bad name of a known source (an impossible date, the
   wrong extension): `rejected` with `invalid_file_name`; bytes already loaded under another
   name: `duplicate`; all three are quarantined and none is read;
4. otherwise the structure is checked (header and delimiter, JSON array or lines, required
   columns) and the rows are appended by one DuckDB statement (ingest.py); the rows, their row
   numbers and the file's `raw._files` row are written in ONE transaction, so a crash leaves the
   whole file or nothing;
5. the file is moved (or copied, or kept) to `archive/<source>/<date>/`, or to `quarantine/`
   when rejected; the destination is recorded in the same transaction, before the move.

A second loader, or any pipeline step, started meanwhile stops at once (lock.py). Exit codes:
0 the run completed (rejected files are findings), 1 a pipeline failure, 2 bad usage or config.
"""

from __future__ import annotations

import argparse
import logging
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from ecom_elt import filecheck as fc
from ecom_elt import ingest
from ecom_elt.cli import EXIT_OK, PipelineError, UsageError
from ecom_elt.config import DataSchemas, SourceSchema, load_data_schemas
from ecom_elt.discover import Delivery, discover
from ecom_elt.lock import pipeline_lock
from ecom_elt.paths import DataRoot, data_root
from ecom_elt.placement import MODES, free_destination, place, same_bytes
from ecom_elt.rawdb import Known, Manifest, ManifestRow, connect, ensure_raw_schema, rel_path

log = logging.getLogger("ecom_elt.load")

KNOWN = "known"  # not an outcome in raw._files: bytes already recorded at this path
_HEARTBEAT_SECONDS = 5.0


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _mb(size: int) -> float:
    return size / 1_000_000


def _size(size: int) -> str:
    """1,234 B / 12.3 kB / 45.6 MB / 1.2 GB."""
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size:,} B"


@dataclass
class FileResult:
    """What happened to one delivered file in this run."""

    name: str
    rel_path: str
    source: str | None
    outcome: str  # loaded | rejected | duplicate | unknown | known
    size: int
    rows: int = 0
    seconds: float = 0.0
    file_id: int | None = None
    reasons: list[fc.Finding] = field(default_factory=list)
    warnings: list[fc.Finding] = field(default_factory=list)
    placed_to: str | None = None
    placement_error: str | None = None


@dataclass
class LoadSummary:
    """The run: its batch id and one result per file found."""

    batch_id: int
    mode: str
    files: list[FileResult] = field(default_factory=list)
    seconds: float = 0.0

    def by_outcome(self, outcome: str) -> list[FileResult]:
        return [f for f in self.files if f.outcome == outcome]

    @property
    def counts(self) -> Counter[str]:
        return Counter(f.outcome for f in self.files)

    @property
    def rows_loaded(self) -> int:
        return sum(f.rows for f in self.by_outcome("loaded"))

    @property
    def placement_errors(self) -> list[FileResult]:
        return [f for f in self.files if f.placement_error]

    def headline(self) -> str:
        loaded = self.by_outcome("loaded")
        size = sum(f.size for f in loaded)
        rate = _mb(size) / self.seconds if self.seconds > 0 else 0.0
        counts = self.counts
        return (
            f"load finished in {self.seconds:.1f} s (batch {self.batch_id}): "
            f"{len(loaded)} loaded ({self.rows_loaded:,} rows, {_size(size)}, "
            f"{rate:.1f} MB/s), {counts['rejected']} rejected, {counts['duplicate']} duplicate, "
            f"{counts['unknown']} unknown, {counts[KNOWN]} already recorded"
        )

    def table(self) -> str:
        """Files, rows and MB per outcome and source, as a plain-text table."""
        groups: dict[tuple[str, str], list[int]] = {}
        for f in self.files:
            key = (f.outcome if f.outcome != KNOWN else "already recorded", f.source or "-")
            acc = groups.setdefault(key, [0, 0, 0])
            acc[0] += 1
            acc[1] += f.rows
            acc[2] += f.size
        lines = [f"{'outcome':<17} {'source':<10} {'files':>6} {'rows':>13} {'MB':>10}"]
        for (outcome, source), (files, rows, size) in sorted(groups.items()):
            lines.append(f"{outcome:<17} {source:<10} {files:>6} {rows:>13,} {_mb(size):>10.1f}")
        total_rows = sum(f.rows for f in self.files)
        total_size = sum(f.size for f in self.files)
        lines.append(
            f"{'total':<17} {'':<10} {len(self.files):>6} {total_rows:>13,} "
            f"{_mb(total_size):>10.1f}"
        )
        return "\n".join(lines)


class _Reject(Exception):
    """Inside a file's transaction: roll back and record the file as rejected."""

    def __init__(self, reasons: list[fc.Finding], rows: int | None = None) -> None:
        super().__init__(reasons[0].message if reasons else "rejected")
        self.reasons = reasons
        self.rows = rows


def _is_file_error(exc: duckdb.Error) -> bool:
    """Whether a DuckDB error means "this file cannot be read as its format" (reject the file),
    rather than "the pipeline broke" (out of memory, disk full: stop, the file stays in raw/)."""
    if isinstance(exc, duckdb.InvalidInputException | duckdb.ConversionException):
        return True
    text = str(exc).lower()
    return isinstance(exc, duckdb.IOException) and ("gzip" in text or "decompress" in text)


@contextmanager
def _transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    con.execute("begin")
    try:
        yield
    except BaseException:
        con.execute("rollback")
        raise
    con.execute("commit")


@contextmanager
def _heartbeat(con: duckdb.DuckDBPyConnection, label: str, size: int) -> Iterator[None]:
    """Log the progress of a long statement every few seconds (DuckDB's own estimate)."""
    done = threading.Event()
    started = time.monotonic()

    def beat() -> None:
        while not done.wait(_HEARTBEAT_SECONDS):
            try:
                share = con.query_progress()
            except duckdb.Error:
                return
            if share >= 0:
                elapsed = time.monotonic() - started
                rate = _mb(size) * share / 100 / elapsed if elapsed else 0.0
                log.info("    %s: %.0f%% of %s (%.1f MB/s)", label, share, _size(size), rate)

    thread = threading.Thread(target=beat, name="load-progress", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()


class _Loader:
    """Handles the files of one run, one after another, on one connection."""

    def __init__(
        self,
        root: DataRoot,
        con: duckdb.DuckDBPyConnection,
        schemas: DataSchemas,
        mode: str,
        batch_id: int,
        links: ingest.ReadLinks,
    ) -> None:
        self.root, self.con, self.schemas, self.mode = root, con, schemas, mode
        self.batch_id = batch_id
        self.links = links
        self.manifest = Manifest(con)

    # ------------------------------------------------------------------ one file

    def handle(self, d: Delivery) -> FileResult | None:
        started = time.monotonic()
        if not d.path.is_file():
            log.warning("%s vanished before it could be read; skipped", d.rel_path)
            return None
        readable = d.source is not None and d.info.name_problem is None
        if readable and d.size > 0 and not self.manifest.size_seen(d.size):
            # No recorded file has this size, so these bytes are new: no need to hash them
            # before reading; the hash is computed while DuckDB reads the file.
            return self._load(d, None, started)
        scan = fc.scan_bytes(d.path, d.name, d.info.gzipped, check_text=readable)
        known = self.manifest.same_delivery(scan.sha256, d.rel_path)
        if known is not None:
            return self._finish_known(d, known, scan)
        if d.source is None:
            example = f"file name {fc.clip(d.name)}"
            problem = (
                f"the name matches no source; expected <source>_<YYYY-MM-DD>[_<suffix>].<ext>"
                f"[.gz] with source one of {', '.join(self.schemas.sources)}"
            )
            reason = fc.finding(d.name, fc.UNKNOWN_SOURCE, problem, example)
            return self._record(d, scan, "unknown", [reason], started)
        if d.info.name_problem is not None:
            example = f"file name {fc.clip(d.name)}"
            reason = fc.finding(d.name, fc.INVALID_FILE_NAME, d.info.name_problem, example)
            return self._record(d, scan, "rejected", [reason], started)
        original = self.manifest.loaded(scan.sha256)
        if original is not None:
            problem = (
                f"the same bytes were loaded before as {original.file_name} "
                f"(file id {original.file_id}); loaded once"
            )
            example = f"sha256 {scan.sha256[:16]}..., {original.file_path}"
            reason = fc.finding(d.name, fc.DUPLICATE_FILE, problem, example)
            return self._record(d, scan, "duplicate", [reason], started, original.file_id)
        if scan.problem is not None:
            return self._record(d, scan, "rejected", [scan.problem], started)
        if scan.size == 0:
            reason = fc.finding(d.name, fc.FILE_EMPTY, "the file is empty", "0 bytes")
            return self._record(d, scan, "rejected", [reason], started)
        return self._load(d, scan, started)

    def _load(self, d: Delivery, scan: fc.ByteScan | None, started: float) -> FileResult:
        """Check the structure and append the rows; `scan` None: hash during the read."""
        assert d.source is not None and d.business_date is not None
        schema = self.schemas.sources[d.source]
        gzipped = d.info.gzipped
        head = fc.read_head(d.path, gzipped)
        header: list[str] = []
        warnings: list[fc.Finding] = []
        if schema.format == "csv":
            layout = fc.csv_layout(d.name, head, schema)
            errors, header, warnings = layout.errors, layout.header, layout.warnings
        else:
            errors = fc.json_shape_findings(d.name, head, schema)
        if errors:
            scan = scan or fc.scan_bytes(d.path, d.name, gzipped)
            return self._record(
                d, scan, "rejected", [scan.problem] if scan.problem else errors, started
            )
        pending = fc.BackgroundScan(d.path, d.name, gzipped) if scan is None else None
        path = self.links.link(d.path, gzipped)
        loaded_at = _now()
        try:
            with _transaction(self.con), _heartbeat(self.con, d.name, d.size):
                try:
                    if schema.format != "csv":
                        warnings = self._check_json_keys(d, schema, path)
                    rows, first_rowid = self._stage(d, schema, header, path)
                finally:
                    if pending is not None:
                        scan = pending.result()
                assert scan is not None
                if scan.problem is not None:  # unreadable bytes explain any read error best
                    raise _Reject([scan.problem])
                file_id = self.manifest.next_file_id()
                lineage = ingest.Lineage(
                    file_id, d.name, scan.sha256, d.business_date, loaded_at, self.batch_id
                )
                appended = ingest.append_staged(self.con, schema, lineage, first_rowid)
                if appended != rows:
                    raise PipelineError(
                        f"internal check failed: {rows:,} rows read from {d.rel_path} but "
                        f"{appended:,} appended; nothing of the file was kept"
                    )
                dest = self._destination(d, "loaded")
                row = self._row(d, scan, file_id, "loaded", [], warnings, started, rows, dest)
                row.loaded_at = loaded_at
                self.manifest.insert(row)
        except _Reject as reject:
            assert scan is not None
            reasons = [scan.problem] if scan.problem else reject.reasons
            return self._record(d, scan, "rejected", reasons, started, rows=reject.rows)
        result = FileResult(
            d.name, d.rel_path, d.source, "loaded", scan.size, rows,
            time.monotonic() - started, file_id, [], warnings,
        )  # fmt: skip
        return self._place(d, dest, result)

    def _check_json_keys(self, d: Delivery, schema: SourceSchema, path: str) -> list[fc.Finding]:
        try:
            rows, not_objects, keys = ingest.json_keys(self.con, schema, path, d.info.gzipped)
        except duckdb.Error as exc:
            if not _is_file_error(exc):
                raise
            raise _Reject(
                [fc.describe_load_error(d.name, schema.format, exc, d.path, d.info.gzipped)]
            ) from None
        if not_objects:
            located = fc.locate_json_problem(d.path, d.info.gzipped, schema.format)
            problem, example = located or (f"{not_objects:,} records are not JSON objects", "-")
            raise _Reject([fc.finding(d.name, fc.FILE_WRONG_SHAPE, problem, example)], rows)
        if rows == 0:
            reason = fc.finding(d.name, fc.FILE_EMPTY, "the file holds no records", "0 records")
            raise _Reject([reason], 0)
        layout = fc.json_key_findings(d.name, schema, keys, rows)
        if layout.errors:
            raise _Reject(layout.errors, rows)
        return layout.warnings

    def _stage(
        self, d: Delivery, schema: SourceSchema, header: list[str], path: str
    ) -> tuple[int, int]:
        """Read the file into the stage; (rows, first row id)."""
        try:
            if schema.format == "csv":
                ingest.stage_csv(self.con, schema, header, path, d.info.gzipped)
            else:
                ingest.stage_json(self.con, schema, path, d.info.gzipped)
        except duckdb.Error as exc:
            if not _is_file_error(exc):
                raise
            raise _Reject(
                [fc.describe_load_error(d.name, schema.format, exc, d.path, d.info.gzipped)]
            ) from None
        rows, first_rowid = ingest.staged_rows(self.con)
        if rows == 0:
            what = "a header but no rows" if schema.format == "csv" else "no records"
            example = "0 data rows" if schema.format == "csv" else "0 records"
            raise _Reject([fc.finding(d.name, fc.FILE_EMPTY, f"the file has {what}", example)], 0)
        return rows, first_rowid

    # ------------------------------------------------------------------ outcomes

    def _destination(self, d: Delivery, outcome: str) -> Path | None:
        if self.mode == "keep":
            return None
        if outcome == "loaded":
            assert d.source is not None and d.business_date is not None
            folder = self.root.archive / d.source / d.business_date.isoformat()
        else:
            folder = self.root.quarantine
        return free_destination(folder, d.name)

    def _row(
        self,
        d: Delivery,
        scan: fc.ByteScan,
        file_id: int,
        outcome: str,
        reasons: list[fc.Finding],
        warnings: list[fc.Finding],
        started: float,
        rows: int | None,
        dest: Path | None,
        duplicate_of: int | None = None,
    ) -> ManifestRow:
        return ManifestRow(
            file_id=file_id,
            batch_id=self.batch_id,
            file_name=d.name,
            file_path=d.rel_path,
            source=d.source,
            business_date=d.business_date,
            suffix=d.info.suffix,
            file_hash=scan.sha256,
            size_bytes=scan.size,
            row_count=rows,
            outcome=outcome,
            reasons=fc.findings_json(reasons),
            warnings=fc.findings_json(warnings),
            duplicate_of_file_id=duplicate_of,
            discovered_at=d.discovered_at,
            loaded_at=_now(),
            load_seconds=round(time.monotonic() - started, 6),
            archived_to=rel_path(self.root, dest),
        )

    def _record(
        self,
        d: Delivery,
        scan: fc.ByteScan,
        outcome: str,
        reasons: list[fc.Finding],
        started: float,
        duplicate_of: int | None = None,
        rows: int | None = None,
    ) -> FileResult:
        """Record a file that is not loaded (rejected, duplicate, unknown), then quarantine it."""
        dest = self._destination(d, outcome)
        with _transaction(self.con):
            file_id = self.manifest.next_file_id()
            self.manifest.insert(
                self._row(d, scan, file_id, outcome, reasons, [], started, rows, dest, duplicate_of)
            )
        result = FileResult(
            d.name, d.rel_path, d.source, outcome, scan.size, 0,
            time.monotonic() - started, file_id, reasons,
        )  # fmt: skip
        return self._place(d, dest, result)

    def _place(self, d: Delivery, dest: Path | None, result: FileResult) -> FileResult:
        if dest is None:
            return result
        try:
            place(d.path, dest, self.mode)
        except OSError as exc:
            result.placement_error = f"could not {self.mode} {d.rel_path} to {dest}: {exc}"
            log.error("%s; the next run tries again", result.placement_error)
            return result
        result.placed_to = rel_path(self.root, dest)
        return result

    def _finish_known(self, d: Delivery, known: Known, scan: fc.ByteScan) -> FileResult:
        """Bytes already recorded at this path: record nothing, put the file where it belongs."""
        result = FileResult(d.name, d.rel_path, d.source, KNOWN, scan.size, file_id=known.file_id)
        if self.mode == "keep":
            return result
        dest = self.root.root / known.archived_to if known.archived_to else None
        if dest is not None and dest.exists():
            if same_bytes(dest, scan.sha256):  # already there (a crash after the move began)
                if self.mode == "move":
                    d.path.unlink()
                result.placed_to = known.archived_to
                return result
            dest = None
        if dest is None:
            dest = self._destination(d, "loaded" if known.outcome == "loaded" else "rejected")
            assert dest is not None
            self.manifest.set_archived_to(known.file_id, rel_path(self.root, dest))
        return self._place(d, dest, result)


def _describe(result: FileResult) -> str:
    rate = _mb(result.size) / result.seconds if result.seconds > 0 else 0.0
    if result.outcome == "loaded":
        text = (
            f"loaded {result.rel_path}: {result.rows:,} rows, {_size(result.size)} "
            f"in {result.seconds:.2f} s ({rate:.1f} MB/s)"
        )
        if result.warnings:
            text += f"; {len(result.warnings)} warning(s): {result.warnings[0].message}"
        return text
    if result.outcome == KNOWN:
        where = f", now at {result.placed_to}" if result.placed_to else ""
        return f"already recorded {result.rel_path} (file id {result.file_id}){where}"
    return f"{result.outcome} {result.rel_path}: {result.reasons[0].message}"


def load(root: DataRoot, mode: str = "move", schemas: DataSchemas | None = None) -> LoadSummary:
    """Load every new file under `<root>/raw/`; see the module's docstring."""
    if mode not in MODES:
        raise UsageError(f"unknown mode {mode!r} (expected one of {', '.join(MODES)})")
    schemas = schemas or load_data_schemas()
    started = time.monotonic()
    with pipeline_lock(root, "load"):
        deliveries = discover(root, schemas)
        total_size = sum(d.size for d in deliveries)
        log.info(
            "loading from %s: %d file(s), %s (mode %s)",
            root.raw, len(deliveries), _size(total_size), mode,
        )  # fmt: skip
        con = connect(root)
        try:
            ensure_raw_schema(con, schemas)
            summary = LoadSummary(batch_id=Manifest(con).next_batch_id(), mode=mode)
            with ingest.ReadLinks(root.root) as links:
                loader = _Loader(root, con, schemas, mode, summary.batch_id, links)
                done_size = 0
                for index, delivery in enumerate(deliveries, 1):
                    result = loader.handle(delivery)
                    done_size += delivery.size
                    if result is None:
                        continue
                    summary.files.append(result)
                    level = logging.INFO if result.outcome in ("loaded", KNOWN) else logging.WARNING
                    elapsed = time.monotonic() - started
                    log.log(
                        level,
                        "[%d/%d files, %.0f%% of %s, %.1f MB/s] %s",
                        index,
                        len(deliveries),
                        100 * done_size / total_size if total_size else 100,
                        _size(total_size),
                        _mb(done_size) / elapsed if elapsed else 0.0,
                        _describe(result),
                    )
        finally:
            con.close()
    summary.seconds = time.monotonic() - started
    return summary


# --------------------------------------------------------------------------- command line


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--mode",
        choices=MODES,
        default="move",
        help="after a file is handled: move it out of raw/ (default), copy it, or keep it",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        metavar="PATH",
        help="the data root (default: $ECOM_DATA_DIR, else data/)",
    )


def run(args: argparse.Namespace) -> int:
    root = data_root(args.data_dir)
    if not root.root.is_dir():
        raise UsageError(f"the data folder {root.root} does not exist")
    summary = load(root, mode=args.mode)
    print(summary.table(), file=sys.stderr)
    log.info("%s", summary.headline())
    if summary.placement_errors:
        raise PipelineError(
            f"{len(summary.placement_errors)} file(s) were recorded but could not be moved "
            f"({summary.placement_errors[0].placement_error}); run the loader again"
        )
    return EXIT_OK
