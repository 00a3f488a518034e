"""Where a handled file goes: `archive/<source>/<business date>/` or `quarantine/`.

Modes: `move` (the landing folder is emptied), `copy` (the file also stays in raw/) or `keep`
(nothing is moved or copied). An existing file at the destination is never overwritten: the new
one gets a `__2`, `__3` ... before its extensions. A move within one file system is an atomic
rename; across file systems the copy lands under a temporary name and is renamed into place
before the original is removed, so a crash leaves at worst two identical copies, never none.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

MODES = ("move", "copy", "keep")


def split_name(name: str) -> tuple[str, str]:
    """('sessions_2026-10-01', '.csv.gz'): the stem and every extension."""
    dot = name.find(".", 1)
    return (name, "") if dot < 0 else (name[:dot], name[dot:])


def free_destination(folder: Path, name: str, reserved: set[Path] | None = None) -> Path:
    """`folder/name`, or `folder/<stem>__<n><ext>` with the first n not taken (on disk, or in
    `reserved`: destinations promised to files not moved yet; the one chosen is added)."""
    taken = reserved if reserved is not None else set()
    candidate = folder / name
    stem, ext = split_name(name)
    n = 1
    while candidate in taken or candidate.exists() or candidate.is_symlink():
        n += 1
        candidate = folder / f"{stem}__{n}{ext}"
    taken.add(candidate)
    return candidate


def same_bytes(path: Path, sha256: str) -> bool:
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
    except OSError:
        return False
    return digest.hexdigest() == sha256


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _copy_into_place(src: Path, dest: Path) -> None:
    tmp = dest.with_name(f".{dest.name}.part")
    shutil.copy2(src, tmp)
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, dest)
    _fsync_dir(dest.parent)


def place(src: Path, dest: Path, mode: str) -> None:
    """Move or copy `src` to `dest` (which must not exist yet); `keep` does nothing."""
    error = place_many([(src, dest)], mode)[0]
    if error is not None:
        raise error


def place_many(moves: list[tuple[Path, Path]], mode: str) -> list[OSError | None]:
    """Move or copy each `src` to its `dest` (which must not exist yet); `keep` does nothing.

    Returns one error (or None) per move. A move is: a hard link at the destination (atomic,
    never overwrites; a copy renamed into place across file systems), the destination folders
    synced, then the landing names removed and their folders synced - every folder once per
    call, not once per file, so a crash leaves each file in raw/, in its destination or in
    both, never in neither.
    """
    errors: list[OSError | None] = [None] * len(moves)
    if mode == "keep" or not moves:
        return errors
    made: set[Path] = set()
    linked: list[int] = []
    for i, (src, dest) in enumerate(moves):
        try:
            if dest.parent not in made:
                dest.parent.mkdir(parents=True, exist_ok=True)
                made.add(dest.parent)
            if mode == "copy":
                _copy_into_place(src, dest)
                continue
            try:
                os.link(src, dest)  # atomic, never overwrites; then drop the landing name
            except FileExistsError:
                raise
            except OSError:  # another file system, or links not supported
                _copy_into_place(src, dest)
            linked.append(i)
        except OSError as exc:
            errors[i] = exc
    if mode == "copy" or not linked:
        return errors
    for folder in dict.fromkeys(moves[i][1].parent for i in linked):
        _fsync_dir(folder)
    removed: list[int] = []
    for i in linked:
        try:
            moves[i][0].unlink()
            removed.append(i)
        except OSError as exc:
            errors[i] = exc
    for folder in dict.fromkeys(moves[i][0].parent for i in removed):
        _fsync_dir(folder)
    return errors
