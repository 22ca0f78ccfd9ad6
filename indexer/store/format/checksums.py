"""Checksums of every file of a generation, so damage is refused, never served.

A flipped byte in the postings' offsets lost a query's only hit; a missing
``near_duplicates.npz`` changed a facet; most damaged files loaded and then
failed every request.  So a build seals each generation before it writes
``meta.json`` (written last): ``meta["checksums"]`` holds the size and CRC-32
of each of the generation's own files (Whoosh's, the pairs, …) and of each of
its segments' ``checksums.json``, which holds the same for the segment's files
(written when a generation first lists the segment, and kept: segments are
never changed after).  Opening a generation checks every size (one ``stat``
each); ``verify(deep=True)`` reads every byte (``python -m indexer check
--deep``, and a server before it swaps a generation in, in the background).
Between the two, for a lazily opened index (the CLI's): the postings' small
files are read whole against the table when they open (``check_whole``), and
each compressed block of the postings against its own CRC-32 when it is read
(``gram_lists``).
"""
from __future__ import annotations

import json
import os
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ...errors import IndexDamaged

SEGMENT_TABLE = "checksums.json"
_NOT_SEALED = {"meta.json", SEGMENT_TABLE}
_REBUILD = "索引已损坏：用 python -m indexer build 重建（之前的版本照常服务）"


def crc_of(path: Path) -> int:
    """The CRC-32 of a file's bytes, read in blocks."""
    crc = 0
    with open(path, "rb") as handle:
        while block := handle.read(1 << 22):
            crc = zlib.crc32(block, crc)
    return crc


def table(folder: Path) -> dict[str, list[int]]:
    """``{relative path: [size, crc32]}`` of every file under ``folder``
    (``meta.json`` and a segment's own table aside)."""
    found = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_file() and rel not in _NOT_SEALED and not path.name.endswith(".lock"):
            found[rel] = [path.stat().st_size, crc_of(path)]
    return found


def seal(generation: Path, meta: dict, segments: Path) -> None:
    """Record the checksums of the generation in ``meta`` (before it is written)."""
    sealed = {}
    for entry in meta["segments"]:
        folder = segments / entry["name"]
        if not (folder / SEGMENT_TABLE).exists():
            _write(folder / SEGMENT_TABLE, table(folder))
        sealed[entry["name"]] = [(folder / SEGMENT_TABLE).stat().st_size, crc_of(folder / SEGMENT_TABLE)]
    meta["checksums"] = {"files": table(generation), "segments": sealed}


def _write(path: Path, data: dict) -> None:
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    os.replace(temporary, path)


def verify(generation: Path, meta: dict, segments: Path, deep: bool = False) -> int:
    """Raise :class:`IndexDamaged` on the first file missing, of another size or
    (``deep``) other contents than the build recorded; returns the files checked.
    A generation built before checksums were recorded has none to check.
    Every size is checked before any content; contents are read by a few threads
    (``zlib.crc32`` and reading let go of the GIL): a province's archive is
    2.8 GB, a server's start reads it all."""
    sealed = meta.get("checksums")
    if sealed is None:
        return 0
    files = list(sealed["files"].items())
    folders = [generation] * len(files)
    for name, expected in sealed["segments"].items():
        folder = segments / name
        own = folder / SEGMENT_TABLE
        _check_one(own, expected, deep=True)          # small, and it vouches for the rest
        try:
            listed = json.loads(own.read_text(encoding="utf-8"))
        except ValueError:
            raise _damaged(own, "unreadable") from None
        files += [(SEGMENT_TABLE, None)] + list(listed.items())
        folders += [folder] * (1 + len(listed))
    checked = [(folder / rel, expected) for folder, (rel, expected) in zip(folders, files) if expected]
    for path, expected in checked:
        _check_one(path, expected, deep=False)
    if deep:
        # The large files by a few threads; the many small ones (a report's
        # structure each) in this one, where threads cost more than they save.
        large = [(p, e) for p, e in checked if e[0] >= LARGE_FILE]
        with ThreadPoolExecutor(max_workers=HASHING_THREADS) as pool:
            crcs = pool.map(crc_of, (p for p, _ in large))
            for path, (_size, crc) in checked:
                if _size < LARGE_FILE and crc_of(path) != crc:
                    raise _damaged(path, "its contents changed since the build (checksum)")
            for (path, (_size, crc)), found in zip(large, crcs):
                if found != crc:
                    raise _damaged(path, "its contents changed since the build (checksum)")
    return len(files)


HASHING_THREADS = 2
LARGE_FILE = 1 << 24


def read_checked(folder: Path, name: str) -> bytes:
    """The bytes of ``name`` (a file of the segment at ``folder``), read once and
    checked against the segment's own table when it lists the file."""
    path = folder / name
    data = path.read_bytes()
    expected = _segment_table(folder).get(name)
    if expected is not None:
        size, crc = expected
        if len(data) != size:
            raise _damaged(path, f"{len(data):,} bytes, built as {size:,}")
        if zlib.crc32(data) != crc:
            raise _damaged(path, "its contents changed since the build (checksum)")
    return data


def _segment_table(folder: Path) -> dict[str, list[int]]:
    """The segment's own table (empty for a segment not yet sealed)."""
    own = folder / SEGMENT_TABLE
    if not own.exists():
        return {}
    try:
        return json.loads(own.read_text(encoding="utf-8"))
    except ValueError:
        raise _damaged(own, "unreadable") from None


def check_whole(folder: Path, names: list[str]) -> int:
    """Read ``names`` (files of the segment at ``folder``) whole against the
    segment's own table, as Lucene checks the small files it loads at open;
    returns the files checked (none in a segment not yet sealed, or sealed
    before these files were)."""
    files = _segment_table(folder)
    listed = [name for name in names if name in files]
    for name in listed:
        _check_one(folder / name, files[name], deep=True)
    return len(listed)


def _check_one(path: Path, expected: list[int], deep: bool) -> None:
    size, crc = expected
    try:
        found = path.stat().st_size
    except OSError:
        raise _damaged(path, "missing") from None
    if found != size:
        raise _damaged(path, f"{found:,} bytes, built as {size:,}")
    if deep and crc_of(path) != crc:
        raise _damaged(path, "its contents changed since the build (checksum)")


def damaged(path: Path, why: str) -> IndexDamaged:
    """The error for a damaged file of an index: which file, why, and the hint to rebuild."""
    return IndexDamaged(f"damaged index file {path}: {why}", hint=_REBUILD)


_damaged = damaged
