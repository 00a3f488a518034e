"""The loader: new raw files into `raw.<source>` with lineage, then archive or quarantine them.

`python -m ecom_elt load [--mode move|copy|keep] [--data-dir PATH]`, or `load(root)` from code.

For every file under `<root>/raw/` (see discover.py for names):

1. hash its bytes (SHA-256; filecheck.py), two files at a time; a large file never seen before
   is instead hashed while DuckDB reads it; gzip integrity and UTF-8 are checked while DuckDB
   reads the file (a decompression in Python that would otherwise keep DuckDB waiting);
2. bytes already recorded at this very path: nothing new is recorded; the file is only moved to
   where the manifest says it belongs (this is how a run finishes what a crashed run began);
3. a name matching no source: `unknown`; a bad name of a known source (an impossible date, the
   wrong extension): `rejected` with `invalid_file_name`; bytes already loaded under another
   name: `duplicate`; all three are quarantined and none is read;
4. otherwise the structure is checked (header and delimiter, JSON array or lines) and the file
   joins the files of its source (and compression; CSV files whose columns come in another
   order too, one `read_csv` per header in a UNION ALL) that DuckDB reads in ONE statement, up to
   `GROUP_CONTENT_BYTES` of content (ingest.py); then each file's record count, JSON fields and
   required columns are checked, and the rows of the good files, their row numbers and every
   file's `raw._files` row are written in ONE transaction: a crash leaves each file wholly
   loaded or not at all (a read error splits the group until the bad file is read alone, and
   rejected with the reason its own read gives); a group is read as soon as it is full, while
   the scan threads go on hashing the next files (at most SCAN_AHEAD ahead);
5. the files are moved (or copied, or kept) to `archive/<source>/<date>/`, or to `quarantine/`
   when rejected; the destination is recorded in the same transaction, before the move.

Why groups: for the small files of a daily export (the default sample has 807 files of 70 kB on
average) the cost is per statement and per commit, not per byte: reading them one by one took
18 ms a file; read together, a file costs a few milliseconds all told.

A second loader, or any pipeline step, started meanwhile stops at once (lock.py). Exit codes:
0 the run completed (rejected files are findings), 1 a pipeline failure, 2 bad usage or config.
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from ecom_elt import filecheck as fc
from ecom_elt import ingest
from ecom_elt.cli import EXIT_OK, PipelineError, UsageError
from ecom_elt.config import DataSchemas, load_data_schemas
from ecom_elt.discover import Delivery, discover
from ecom_elt.lock import pipeline_lock
from ecom_elt.paths import DataRoot, data_root
from ecom_elt.placement import MODES, free_destination, place, place_many, same_bytes
from ecom_elt.rawdb import Known, Manifest, ManifestRow, connect, ensure_raw_schema, rel_path

log = logging.getLogger("ecom_elt.load")

KNOWN = "known"  # not an outcome in raw._files: bytes already recorded at this path
_HEARTBEAT_SECONDS = 5.0
# A group read by one statement: at most this much content (gzip counted at GZIP_RATIO) and this
# many files. Its stage sits in DuckDB's memory (spilled beyond the memory limit). Large groups
# pay off: DuckDB reads a group's files in parallel (one thread per gzip file), and every
# statement and commit has a fixed cost. At 100x the sample with a 2 GB budget, 64 MiB groups
# loaded in 152.8 s (2.03x a bare read), 512 MiB groups in 74.2 s (1.22x), the peak staying at
# the bare read's (1.5 GB); a 1.2 GB sessions file is one group whatever the limit.
GROUP_CONTENT_BYTES = 512 << 20
GROUP_FILES = 1000
GZIP_RATIO = 6
# A file at least this large, of a size no other file has, is hashed while DuckDB reads it
# (its bytes cannot be known ones), instead of before, and is read alone. A smaller file is
# hashed first (on the scan threads, while DuckDB reads the group before) and joins a group.
HASH_WHILE_READING_BYTES = 256 << 20
SCAN_THREADS = 2
# Files whose scan may run ahead of the loading (each holds up to 1 MiB of head in memory).
SCAN_AHEAD = 64


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


class _Progress:
    """One thread for the whole run that logs, every few seconds, the progress of the statement
    being watched (DuckDB's own estimate)."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self._watched: tuple[str, int, float] | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="load-progress", daemon=True)
        self._thread.start()

    @contextmanager
    def watch(self, label: str, size: int) -> Iterator[None]:
        self._watched = (label, size, time.monotonic())
        try:
            yield
        finally:
            self._watched = None

    def _run(self) -> None:
        while not self._stop.wait(_HEARTBEAT_SECONDS):
            watched = self._watched
            if watched is None:
                continue
            label, size, started = watched
            elapsed = time.monotonic() - started
            if elapsed < _HEARTBEAT_SECONDS / 2:
                continue
            try:
                share = self.con.query_progress()
            except duckdb.Error:
                continue
            if share >= 0 and self._watched is watched:
                rate = _mb(size) * share / 100 / elapsed
                log.info("    %s: %.0f%% of %s (%.1f MB/s)", label, share, _size(size), rate)

    def close(self) -> None:
        self._stop.set()
        self._thread.join()


@dataclass
class _Item:
    """A delivery on its way through the run."""

    d: Delivery
    index: int  # position in discovery order
    scan: fc.ByteScan | None = None  # None: hashed while DuckDB reads it
    checked: bool = False  # gzip and UTF-8 checked (scan.problem says the verdict)
    head: bytes = b""
    seconds: float = 0.0  # spent on it outside its group (hashing)
    file_id: int = 0
    header: list[str] = field(default_factory=list)
    head_keys: tuple[str, ...] = ()  # JSON: the fields named in the head (json_head_keys)
    warnings: list[fc.Finding] = field(default_factory=list)

    @property
    def content(self) -> int:
        """Estimated bytes of content."""
        return self.d.size * (GZIP_RATIO if self.d.info.gzipped else 1)


@dataclass
class _Outcome:
    """A manifest row about to be written, and what to do with the file once it is."""

    item: _Item
    outcome: str
    reasons: list[fc.Finding]
    rows: int | None = None
    duplicate_of: int | None = None
    dest: Path | None = None
    row: ManifestRow | None = None


def _scan(d: Delivery, readable: bool) -> tuple[fc.ByteScan, bytes, float]:
    """The hash and, for a file to be read, its head; gzip and UTF-8 are checked later, while
    DuckDB reads the file (see _Loader._load_group)."""
    started = time.monotonic()
    scan = fc.scan_bytes(d.path, d.name, d.info.gzipped, check_text=False)
    head = fc.read_head(d.path, d.info.gzipped) if readable and scan.problem is None else b""
    return scan, head, time.monotonic() - started


def _with_check(item: _Item, checked: fc.ByteScan) -> fc.ByteScan:
    """The item's scan completed by a content check (`checked`: hashed too if it was not)."""
    if item.scan is None:
        return checked
    return replace(item.scan, problem=item.scan.problem or checked.problem)


class _Loader:
    """Handles the files of one run on one connection; `report` gets every result as it is
    final (recorded, and placed)."""

    def __init__(
        self,
        root: DataRoot,
        con: duckdb.DuckDBPyConnection,
        schemas: DataSchemas,
        mode: str,
        links: ingest.ReadLinks,
        manifest: Manifest,
        report: Callable[[FileResult], None],
    ) -> None:
        self.root, self.con, self.schemas, self.mode = root, con, schemas, mode
        self.links = links
        self.manifest = manifest
        self.batch_id = manifest.next_batch_id()
        self.report = report
        self.reserved: set[Path] = set()  # destinations promised to files not moved yet
        self.progress = _Progress(con)
        # gzip and UTF-8 checks of a group's files, while DuckDB reads them
        self.checks = ThreadPoolExecutor(SCAN_THREADS, thread_name_prefix="check-bytes")

    def close(self) -> None:
        try:
            self.progress.close()
        finally:  # on an error, checks not started yet are dropped, not waited for
            self.checks.shutdown(cancel_futures=True)

    # ------------------------------------------------------------------ the run

    def run(self, deliveries: list[Delivery]) -> None:
        """Scan, decide and load the files in discovery order. A source's group is read as soon
        as it is full, while the next files are still being scanned, so hashing overlaps with
        DuckDB's reading; the last, partial groups are read at the end."""
        groups: dict[tuple[object, ...], list[_Item]] = {}
        records: list[_Outcome] = []
        deferred: list[_Item] = []
        candidates: set[str] = set()  # hashes of this run's files waiting in a group or loaded
        for item in self._scanned(deliveries):
            if not item.d.path.is_file():
                log.warning("%s vanished before it could be read; skipped", item.d.rel_path)
                continue
            decided = self._decide(item)
            item.head = b""  # only the decision reads it
            if isinstance(decided, _Outcome):
                item.file_id = self.manifest.next_file_id()
                records.append(decided)
            elif decided is None:
                continue  # known: done
            else:
                item.file_id = self.manifest.next_file_id()
                if item.scan is not None and item.scan.sha256 in candidates:
                    deferred.append(item)  # the same bytes as a file of this run
                    continue
                if item.scan is not None:
                    candidates.add(item.scan.sha256)
                members = groups.setdefault(decided, [])
                members.append(item)
                if item.scan is None or self._full(members):
                    for chunk in self._chunks(groups.pop(decided)):
                        self._load_group(chunk)
        self._commit(records)
        for members in groups.values():
            for chunk in self._chunks(members):
                self._load_group(chunk)
        for item in deferred:  # loaded by now, or rejected: decide again
            assert item.scan is not None
            original = self.manifest.loaded(item.scan.sha256)
            if original is not None:
                self._commit([self._duplicate(item, original)])
            else:
                self._load_group([item])

    def _scanned(self, deliveries: list[Delivery]) -> Iterator[_Item]:
        """The deliveries in order, each with its scan done: SCAN_THREADS scan at most
        SCAN_AHEAD files ahead of the one handed out (a bounded memory of heads)."""
        sizes = Counter(d.size for d in deliveries if self._readable(d))
        upcoming = iter(enumerate(deliveries))
        window: deque[tuple[_Item, Future[tuple[fc.ByteScan, bytes, float]] | None]] = deque()
        with ThreadPoolExecutor(SCAN_THREADS, thread_name_prefix="scan-bytes") as pool:

            def submit_next() -> None:
                following = next(upcoming, None)
                if following is not None:
                    index, d = following
                    window.append(self._submit(pool, d, index, sizes))

            for _ in range(SCAN_AHEAD):
                submit_next()
            while window:
                item, future = window.popleft()
                submit_next()
                if future is not None:
                    item.scan, item.head, item.seconds = future.result()
                yield item

    @staticmethod
    def _full(members: list[_Item]) -> bool:
        """A group holds a full read's worth of files (see _chunks)."""
        return sum(m.content for m in members) >= GROUP_CONTENT_BYTES or len(members) >= GROUP_FILES

    def _readable(self, d: Delivery) -> bool:
        return d.source is not None and d.info.name_problem is None

    def _submit(
        self, pool: ThreadPoolExecutor, d: Delivery, index: int, sizes: Counter[int]
    ) -> tuple[_Item, Future[tuple[fc.ByteScan, bytes, float]] | None]:
        item = _Item(d, index)
        readable = self._readable(d)
        if (
            readable
            and d.size >= HASH_WHILE_READING_BYTES
            and sizes[d.size] == 1
            and not self.manifest.size_seen(d.size)
        ):
            # No other file has this size, so these bytes are new: no need to hash them before
            # reading; the hash is computed while DuckDB reads the file.
            return item, None
        return item, pool.submit(_scan, d, readable)

    def _decide(self, item: _Item) -> _Outcome | tuple[object, ...] | None:
        """A file's fate before any read: an outcome to record, None when its bytes are known at
        this path (placed now), or the key of the group it is read with."""
        d, scan = item.d, item.scan
        if scan is not None:
            known = self.manifest.same_delivery(scan.sha256, d.rel_path)
            if known is not None:
                self._finish_known(d, known, scan)
                return None
        if d.source is None:
            assert scan is not None
            example = f"file name {fc.clip(d.name)}"
            problem = (
                f"the name matches no source; expected <source>_<YYYY-MM-DD>[_<suffix>].<ext>"
                f"[.gz] with source one of {', '.join(self.schemas.sources)}"
            )
            return _Outcome(
                item, "unknown", [fc.finding(d.name, fc.UNKNOWN_SOURCE, problem, example)]
            )
        if d.info.name_problem is not None:
            example = f"file name {fc.clip(d.name)}"
            reason = fc.finding(d.name, fc.INVALID_FILE_NAME, d.info.name_problem, example)
            return _Outcome(item, "rejected", [reason])
        if scan is not None:
            original = self.manifest.loaded(scan.sha256)
            if original is not None:
                return self._duplicate(item, original)
            if scan.problem is not None:
                return _Outcome(item, "rejected", [scan.problem])
            if scan.size == 0:
                reason = fc.finding(d.name, fc.FILE_EMPTY, "the file is empty", "0 bytes")
                return _Outcome(item, "rejected", [reason])
        schema = self.schemas.sources[d.source]
        head = item.head if scan is not None else fc.read_head(d.path, d.info.gzipped)
        if schema.format == "csv":
            layout = fc.csv_layout(d.name, head, schema)
            errors, item.header, item.warnings = layout.errors, layout.header, layout.warnings
        else:
            errors = fc.json_shape_findings(d.name, head, schema)
            item.head_keys = fc.json_head_keys(head, schema.format)
        if errors:  # unreadable bytes (corrupt gzip, not UTF-8) explain a bad head best
            started = time.monotonic()
            checked = fc.scan_bytes(d.path, d.name, d.info.gzipped, hash_bytes=scan is None)
            item.scan = _with_check(item, checked)
            item.checked = True
            item.seconds += time.monotonic() - started
            return _Outcome(item, "rejected", [item.scan.problem] if item.scan.problem else errors)
        return (d.source, d.info.gzipped)  # CSV files of any header order are read together

    def _duplicate(self, item: _Item, original: Known) -> _Outcome:
        assert item.scan is not None
        problem = (
            f"the same bytes were loaded before as {original.file_name} "
            f"(file id {original.file_id}); loaded once"
        )
        example = f"sha256 {item.scan.sha256[:16]}..., {original.file_path}"
        reason = fc.finding(item.d.name, fc.DUPLICATE_FILE, problem, example)
        return _Outcome(item, "duplicate", [reason], duplicate_of=original.file_id)

    def _chunks(self, members: list[_Item]) -> Iterator[list[_Item]]:
        """Members in groups of at most GROUP_CONTENT_BYTES / GROUP_FILES; a file hashed while
        read goes alone."""
        chunk: list[_Item] = []
        content = 0
        for item in members:
            if item.scan is None:
                yield [item]
                continue
            if chunk and (
                content + item.content > GROUP_CONTENT_BYTES or len(chunk) >= GROUP_FILES
            ):
                yield chunk
                chunk, content = [], 0
            chunk.append(item)
            content += item.content
        if chunk:
            yield chunk

    # ------------------------------------------------------------------ a group of files

    def _load_group(self, items: list[_Item]) -> None:
        """Read the files in one statement, check them, and write the good ones' rows and every
        file's manifest row in one transaction; on a read error, split the group."""
        first = items[0].d
        assert first.source is not None
        schema = self.schemas.sources[first.source]
        gzipped = first.info.gzipped
        if schema.format == "csv":  # files of one header next to each other: one read for them
            items = sorted(items, key=lambda i: i.header)
        started = time.monotonic()
        size = sum(i.d.size for i in items)
        label = first.name if len(items) == 1 else f"{len(items)} {schema.name} files"
        pending = [
            None
            if i.checked
            else self.checks.submit(
                fc.scan_bytes, i.d.path, i.d.name, gzipped, True, i.scan is None
            )
            for i in items
        ]
        paths = [self.links.link(i.d.path, gzipped) for i in items]
        try:
            with self.progress.watch(label, size):
                if schema.format == "csv":
                    ingest.stage_csv(self.con, schema, [i.header for i in items], paths, gzipped)
                else:
                    ingest.stage_json(self.con, schema, paths, gzipped)
        except duckdb.Error as exc:
            self._collect_scans(items, pending)
            if not _is_file_error(exc):
                raise
            self._split(items, paths, exc)
            return
        self._collect_scans(items, pending)
        staged = ingest.stage_stats(self.con, schema)
        loaded_at = _now()
        lineages: list[tuple[int, ingest.Lineage, int]] = []
        outcomes: list[_Outcome] = []
        for position, item in enumerate(items, 1):
            found = staged.get(position, ingest.StagedFile(0, 0))
            scan = item.scan
            assert scan is not None and item.d.business_date is not None
            if scan.problem is not None:  # unreadable bytes explain anything the read did
                outcomes.append(_Outcome(item, "rejected", [scan.problem]))
                continue
            reasons = self._check_records(item, found)
            if reasons:
                outcomes.append(_Outcome(item, "rejected", reasons, rows=found.rows))
                continue
            outcomes.append(_Outcome(item, "loaded", [], rows=found.rows))
            lineage = ingest.Lineage(
                item.file_id, item.d.name, scan.sha256, item.d.business_date, loaded_at,
                self.batch_id,
            )  # fmt: skip
            lineages.append((position, lineage, found.first_rowid))
        expected = sum(o.rows or 0 for o in outcomes if o.outcome == "loaded")
        elapsed = time.monotonic() - started

        def write() -> None:
            appended = ingest.append_stage(self.con, schema, lineages)
            if appended != expected:
                raise PipelineError(
                    f"internal check failed: {expected:,} rows read from {label} but "
                    f"{appended:,} appended; nothing of them was kept"
                )

        self._commit(outcomes, write, loaded_at, elapsed)
        ingest.drop_stage(self.con)

    def _check_records(self, item: _Item, found: ingest.StagedFile) -> list[fc.Finding]:
        """Reasons to reject a file that DuckDB could read: no records, records that are not
        JSON objects, required JSON fields with a value in no record and named by no record of
        the head. Sets the file's warnings."""
        d = item.d
        assert d.source is not None
        schema = self.schemas.sources[d.source]
        if schema.format == "csv":
            if found.rows == 0:
                problem = "the file has a header but no rows"
                return [fc.finding(d.name, fc.FILE_EMPTY, problem, "0 data rows")]
            return []
        if found.blank:  # `{}` records, or records that are not objects (`null`)?
            link = self.links.link(d.path, d.info.gzipped)
            not_objects = ingest.count_not_objects(self.con, schema, link, d.info.gzipped)
            if not_objects:
                located = fc.locate_json_problem(d.name, d.path, d.info.gzipped, schema.format)
                problem = f"{not_objects:,} records are not objects"
                return [located or fc.finding(d.name, fc.FILE_WRONG_SHAPE, problem, "-")]
        if found.rows == 0:
            return [fc.finding(d.name, fc.FILE_EMPTY, "the file holds no records", "0 records")]
        layout = fc.json_key_findings(d.name, schema, found.valued, item.head_keys, found.rows)
        item.warnings = layout.warnings
        return layout.errors

    def _collect_scans(self, items: list[_Item], pending: list[Future[fc.ByteScan] | None]) -> None:
        for item, checked in zip(items, pending, strict=True):
            if checked is not None:
                item.scan = _with_check(item, checked.result())
                item.checked = True

    def _split(self, items: list[_Item], paths: list[str], exc: duckdb.Error) -> None:
        """A read error in a group: the file it names (or, failing that, each half) is read again
        on its own; a single file is rejected with the reason the error gives."""
        broken = [i for i in items if i.scan is not None and i.scan.problem is not None]
        if broken:  # their bytes explain the error: reject them, read the others again
            self._commit([_Outcome(i, "rejected", [i.scan.problem]) for i in broken])
            rest = [i for i in items if all(i is not b for b in broken)]
            if rest:
                self._load_group(rest)
            return
        if len(items) == 1:
            item = items[0]
            assert item.d.source is not None
            schema = self.schemas.sources[item.d.source]
            reason = fc.describe_load_error(
                item.d.name, schema.format, exc, item.d.path, item.d.info.gzipped
            )
            self._commit([_Outcome(item, "rejected", [reason])])
            return
        text = str(exc)
        named = [
            i for i, path in enumerate(paths) if re.search(re.escape(path) + r"(?![\w.])", text)
        ]
        if len(named) == 1:
            culprit = items[named[0]]
            self._load_group([culprit])
            rest = [i for i in items if i is not culprit]
            if rest:
                self._load_group(rest)
            return
        half = len(items) // 2
        self._load_group(items[:half])
        self._load_group(items[half:])

    # ------------------------------------------------------------------ outcomes

    def _commit(
        self,
        outcomes: list[_Outcome],
        write: Callable[[], None] | None = None,
        loaded_at: datetime | None = None,
        elapsed: float = 0.0,
    ) -> None:
        """In one transaction: `write` (the rows), then the manifest rows of `outcomes`; then
        move the files and report them. A group's time is shared among its files by size."""
        if not outcomes:
            return
        started = time.monotonic()
        now = _now()
        for o in outcomes:
            o.dest = self._destination(o.item.d, o.outcome)
        with _transaction(self.con):
            if write is not None:
                write()
            total = sum(o.item.d.size for o in outcomes) or 1
            spent = elapsed + time.monotonic() - started
            for o in outcomes:
                share = spent * (o.item.d.size or 1) / total if total else 0.0
                o.row = self._row(
                    o, loaded_at if o.outcome == "loaded" and loaded_at else now, share
                )
            self.manifest.insert_many([o.row for o in outcomes if o.row is not None])
        self.manifest.remember(o.row for o in outcomes if o.row is not None)
        moves = [(o.item.d.path, o.dest) for o in outcomes if o.dest is not None]
        errors = iter(place_many(moves, self.mode))
        for o in outcomes:
            assert o.row is not None and o.item.scan is not None
            d = o.item.d
            result = FileResult(
                d.name, d.rel_path, d.source, o.outcome, o.item.scan.size,
                o.rows or 0 if o.outcome == "loaded" else 0, o.row.load_seconds, o.row.file_id,
                o.reasons, o.item.warnings if o.outcome == "loaded" else [],
            )  # fmt: skip
            if o.dest is not None:
                error = next(errors)
                if error is None:
                    result.placed_to = rel_path(self.root, o.dest)
                else:
                    result.placement_error = (
                        f"could not {self.mode} {d.rel_path} to {o.dest}: {error}"
                    )
                    log.error("%s; the next run tries again", result.placement_error)
            self.report(result)

    def _destination(self, d: Delivery, outcome: str) -> Path | None:
        if self.mode == "keep":
            return None
        if outcome == "loaded":
            assert d.source is not None and d.business_date is not None
            folder = self.root.archive / d.source / d.business_date.isoformat()
        else:
            folder = self.root.quarantine
        return free_destination(folder, d.name, self.reserved)

    def _row(self, o: _Outcome, loaded_at: datetime, seconds: float) -> ManifestRow:
        d, scan = o.item.d, o.item.scan
        assert scan is not None
        return ManifestRow(
            file_id=o.item.file_id,
            batch_id=self.batch_id,
            file_name=d.name,
            file_path=d.rel_path,
            source=d.source,
            business_date=d.business_date,
            suffix=d.info.suffix,
            file_hash=scan.sha256,
            size_bytes=scan.size,
            row_count=o.rows,
            outcome=o.outcome,
            reasons=fc.findings_json(o.reasons),
            warnings=fc.findings_json(o.item.warnings if o.outcome == "loaded" else []),
            duplicate_of_file_id=o.duplicate_of,
            discovered_at=d.discovered_at,
            loaded_at=loaded_at,
            load_seconds=round(o.item.seconds + seconds, 6),
            archived_to=rel_path(self.root, o.dest),
        )

    def _finish_known(self, d: Delivery, known: Known, scan: fc.ByteScan) -> None:
        """Bytes already recorded at this path: record nothing, put the file where it belongs."""
        result = FileResult(d.name, d.rel_path, d.source, KNOWN, scan.size, file_id=known.file_id)
        if self.mode != "keep":
            self._place_known(d, known, scan, result)
        self.report(result)

    def _place_known(
        self, d: Delivery, known: Known, scan: fc.ByteScan, result: FileResult
    ) -> None:
        dest = self.root.root / known.archived_to if known.archived_to else None
        if dest is not None and dest.exists():
            if same_bytes(dest, scan.sha256):  # already there (a crash after the move began)
                if self.mode == "move":
                    d.path.unlink()
                result.placed_to = known.archived_to
                return
            dest = None
        if dest is None:
            dest = self._destination(d, "loaded" if known.outcome == "loaded" else "rejected")
            assert dest is not None
            self.manifest.set_archived_to(known.file_id, rel_path(self.root, dest))
        try:
            place(d.path, dest, self.mode)
        except OSError as exc:
            result.placement_error = f"could not {self.mode} {d.rel_path} to {dest}: {exc}"
            log.error("%s; the next run tries again", result.placement_error)
            return
        result.placed_to = rel_path(self.root, dest)


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
            manifest = Manifest(con)
            manifest.load_index(d.size for d in deliveries)
            summary = LoadSummary(batch_id=manifest.next_batch_id(), mode=mode)
            done_size = 0

            def report(result: FileResult) -> None:
                nonlocal done_size
                summary.files.append(result)
                done_size += result.size
                level = logging.INFO if result.outcome in ("loaded", KNOWN) else logging.WARNING
                elapsed = time.monotonic() - started
                log.log(
                    level,
                    "[%d/%d files, %.0f%% of %s, %.1f MB/s] %s",
                    len(summary.files),
                    len(deliveries),
                    100 * done_size / total_size if total_size else 100,
                    _size(total_size),
                    _mb(done_size) / elapsed if elapsed else 0.0,
                    _describe(result),
                )

            with ingest.ReadLinks(root.root) as links:
                loader = _Loader(root, con, schemas, mode, links, manifest, report)
                try:
                    loader.run(deliveries)
                finally:
                    loader.close()
        finally:
            con.close()
    order = {d.rel_path: i for i, d in enumerate(deliveries)}
    summary.files.sort(key=lambda f: order.get(f.rel_path, len(order)))
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
