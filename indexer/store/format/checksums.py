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
Between the two, every read is checked as Lucene checks its files: what is
loaded whole (a segment's table and columns, the postings' small files, the
texts' and blocks' checksums, a report's structure, the pairs, Whoosh's files
before Whoosh opens them) against the table when it is read (``read_checked``,
``check_whole``), each compressed block of the postings and each display text
against its own CRC-32 (``gram_lists``, ``segment.TextStore``).  So a server
need not read every byte before it answers: it serves once the sizes are
checked and reads every byte in the background (``checked_as_read``).
"""
from __future__ import annotations

import json
import os
import zlib
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path

from ...errors import IndexDamaged
from .json_file import parse_json

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
    2.8 GB, a server reads it all in the background."""
    sealed = meta.get("checksums")
    if sealed is None:
        return 0
    checked = [(os.path.join(generation, rel), expected) for rel, expected in sealed["files"].items()]
    for name, expected in sealed["segments"].items():
        folder = segments / name
        own = folder / SEGMENT_TABLE
        _check_one(own, expected, deep=True)          # small, and it vouches for the rest
        checked += [(os.path.join(folder, rel), listed) for rel, listed in _segment_table(folder).items()]
    # 27,000 files at a province's archive (a report's structure each): one
    # os.stat of a string each, not a Path's (a second of a server's start).
    identities = [_check_size(path, expected[0]) for path, expected in checked]
    if deep:
        global _READ_WHOLE
        unread = [(p, e) for (p, e), known in zip(checked, identities) if _READ_WHOLE.get(known[0]) != (known[1], e[1])]
        _check_contents(unread)
        # Only this generation's files are remembered: the memo stays one generation's size.
        _READ_WHOLE = {known[0]: (known[1], expected[1]) for (_, expected), known in zip(checked, identities)}
    return len(checked) + len(sealed["segments"])


def _check_size(path: str, size: int) -> tuple[tuple[int, int], tuple[int, int]]:
    """Raise if the file is missing or of another size; its identity: ((device,
    inode), (size, modification time in ns))."""
    try:
        found = os.stat(path)
    except OSError:
        raise _damaged(Path(path), "missing") from None
    if found.st_size != size:
        raise _damaged(Path(path), f"{found.st_size:,} bytes, built as {size:,}")
    return (found.st_dev, found.st_ino), (found.st_size, found.st_mtime_ns)


# Files read whole against their checksum by the last deep ``verify``: (device,
# inode) → ((size, mtime ns), crc).  Segments are written once, and a new
# generation lists the previous one's segments and hard-links its Whoosh files:
# a swap need not read again the bytes it read at the last one (Lucene's
# ``openIfChanged`` reuses unchanged segments the same way).  A file written
# since (a damaged byte included) has another modification time and is read.
_READ_WHOLE: dict[tuple[int, int], tuple[tuple[int, int], int]] = {}


def _check_contents(files: list[tuple[str, list[int]]]) -> None:
    """Read each file against its recorded CRC-32: the large ones by a few
    threads, the many small ones (a report's structure each) in this one,
    where threads cost more than they save."""
    large = [(p, e) for p, e in files if e[0] >= LARGE_FILE]
    with ThreadPoolExecutor(max_workers=HASHING_THREADS) as pool:
        crcs = pool.map(crc_of, (Path(p) for p, _ in large))
        for path, (_size, crc) in files:
            if _size < LARGE_FILE and crc_of(Path(path)) != crc:
                raise _damaged(Path(path), "its contents changed since the build (checksum)")
        for (path, (_size, crc)), found in zip(large, crcs):
            if found != crc:
                raise _damaged(Path(path), "its contents changed since the build (checksum)")


HASHING_THREADS = 2
LARGE_FILE = 1 << 24


def read_checked(folder: Path, name: str) -> bytes:
    """The bytes of ``name`` (a file of the segment at ``folder``), read once and
    checked against the segment's own table when it lists the file."""
    path = folder / name
    data = path.read_bytes()
    expected = _segment_table(folder).get(name)
    if expected is not None:
        _check_bytes(path, data, expected)
    return data


def _check_bytes(path: Path, data: bytes, expected: list[int]) -> None:
    size, crc = expected
    if len(data) != size:
        raise _damaged(path, f"{len(data):,} bytes, built as {size:,}")
    if zlib.crc32(data) != crc:
        raise _damaged(path, "its contents changed since the build (checksum)")


def _segment_table(folder: Path) -> dict[str, list[int]]:
    """The segment's own table (empty for a segment not yet sealed), parsed once
    per version of the file: every check of the segment's files reads it (1.4 MB
    at a province's archive)."""
    own = folder / SEGMENT_TABLE
    try:
        stat = own.stat()
    except FileNotFoundError:
        return {}
    return _parsed_table(str(own), stat.st_ino, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=32)
def _parsed_table(path: str, _inode: int, _mtime_ns: int, _size: int) -> dict[str, list[int]]:
    """A segment's table, read-only by convention (shared by every caller)."""
    try:
        return parse_json(Path(path).read_bytes())
    except ValueError:
        raise _damaged(Path(path), "unreadable") from None


def generation_checked(generation: Path, meta: dict, rel: str) -> bytes:
    """The bytes of ``rel`` (a generation's own file), checked against ``meta``'s table when it lists it."""
    path = generation / rel
    data = path.read_bytes()
    expected = (meta.get("checksums") or {}).get("files", {}).get(rel)
    if expected is not None:
        _check_bytes(path, data, expected)
    return data


def check_generation_files(generation: Path, meta: dict, prefix: str) -> int:
    """Read the generation's own files under ``prefix`` (``whoosh/``) whole
    against ``meta``'s table, before a library that reads them without any
    check opens them; the number checked."""
    listed = [(rel, e) for rel, e in ((meta.get("checksums") or {}).get("files") or {}).items()
              if rel.startswith(prefix)]
    for rel, expected in listed:
        _check_one(generation / rel, expected, deep=True)
    return len(listed)


def checked_as_read(folder: Path) -> bool:
    """Whether every read of the segment at ``folder`` is checked as it is made:
    the files too large to read whole at open (display texts, compressed blocks)
    carry a checksum per text and per block.  A segment written before those
    has none: its bytes are safe to serve only once read whole."""
    table = _segment_table(folder)
    return bool(table) and all(name in table for name in BLOCK_CHECKSUMS)


BLOCK_CHECKSUMS = ("texts.crc.npy",) + tuple(f"{prefix}.{part}.crc.npy" for prefix in ("postings", "trigrams")
                                              for part in ("docs", "tfs"))


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
