"""Posting lists on disk: one set of lists per prefix (``postings``, ``trigrams``).

A list set is the postings of many gram codes, sorted by (code, passage):
``<prefix>.codes.npy`` (sorted) and ``<prefix>.offsets.npy`` say where each
code's list lies in the posting sequence, whose passage numbers (``docs``) and
occurrences (``tfs``) are stored in compressed blocks.

Storage, as in Lucene's block postings: passage numbers become gaps from the
previous posting of the same list (a list's first keeps its number), cut into
blocks of ``BLOCK`` postings, each compressed by Blosc (bit-shuffled, so the
mostly zero high bits run together, then LZ4); a lookup decompresses only the
blocks its list spans.  Each block's CRC-32 is recorded at write time
(``<name>.crc.npy``, beside the block offsets ``<name>.blocks.npy``) and
checked whenever the block is read, as Lucene and tantivy check theirs: a
flipped byte inside a block still decompresses, to wrong passage numbers, and
a lazily opened index (the CLI's) checks only file sizes at open; a block that
fails its checksum raises ``IndexDamaged``.  A list set written before the
checksums (no ``.crc.npy``) is read unchecked, as a generation without
``meta["checksums"]`` is.  Blosc decodes a common character's million postings
several times as fast as the deflate used before, for a fifth more disk (the
figures: BENCHMARKS.md, "Figures formerly quoted in docstrings").
python-blosc rather than python-blosc2: the same C codecs, without blosc2's
import of httpx, pydantic and rich (30 MB in every server).

The build packs a posting in one uint64, so one in-place sort orders them all:
gram code (high 32 bits) | passage number (24 bits) | occurrences (8 bits).
"""
from __future__ import annotations

import importlib
import os
import sys
import types
import zlib
from pathlib import Path

import numpy as np

from .checksums import damaged


def _import_blosc():
    """``import blosc`` without its test suite: python-blosc's ``__init__``
    imports ``blosc.test`` (unittest, psutil: a fifth of a command-line search's
    time) only to offer ``blosc.test()``.  A stand-in module is importable
    while blosc imports, and gone after; ``blosc.test()`` still runs the real one."""
    if "blosc" in sys.modules:
        return sys.modules["blosc"]
    stand_in = types.ModuleType("blosc.test")
    stand_in.run = lambda *args, **kwargs: importlib.import_module("blosc.test").run(*args, **kwargs)
    sys.modules.setdefault("blosc.test", stand_in)
    try:
        import blosc
    finally:
        if sys.modules.get("blosc.test") is stand_in:
            del sys.modules["blosc.test"]
    return blosc


blosc = _import_blosc()

BLOCK = 4096        # postings per compressed block
TF_MAX = 255        # occurrences per passage stored (one byte)
DOC_BITS, TF_BITS = 24, 8
_BUCKETS = 16       # spill files by gram code range: the build sorts one at a time
_LEVEL = 5          # Blosc's default; LZ4 decodes as fast at any level
_LITTLE = sys.byteorder == "little"


def pack(codes: np.ndarray, owners: np.ndarray) -> np.ndarray:
    """Packed postings (code | passage | occurrences) of grams ``codes`` found
    in passages ``owners`` (one entry per occurrence), sorted."""
    keys, counts = np.unique((codes.astype(np.uint64) << np.uint64(32)) | (owners.astype(np.uint64) << np.uint64(TF_BITS)),
                             return_counts=True)
    return keys | np.minimum(counts, TF_MAX).astype(np.uint64)


class ListWriter:
    """Collects packed postings chunk by chunk (``spill``) and writes the list
    set (``save``).  Each chunk is spilled to ``_BUCKETS`` files by code range
    (cut at the first chunk's quantiles), and ``save`` sorts one bucket at a
    time: memory holds about a sixteenth of the postings, not all of them."""

    def __init__(self, folder: Path, prefix: str):
        self.folder, self.prefix = Path(folder), prefix
        self._edges: np.ndarray | None = None             # first key of buckets 1…

    def _spill_path(self, bucket: int) -> Path:
        return self.folder / f"{self.prefix}.spill-{bucket:02d}.tmp"

    def spill(self, keys: np.ndarray) -> None:
        """Append sorted ``keys`` to the bucket files, each its code range."""
        if self._edges is None:
            # Cut at quantiles of the postings, not of the distinct codes: the
            # unigrams are few codes but half of all postings.
            at = np.linspace(0, len(keys), _BUCKETS + 1).astype(np.int64)[1:-1]
            self._edges = np.unique(keys[at] >> np.uint64(32)) << np.uint64(32) if len(keys) else keys
        bounds = [0, *np.searchsorted(keys, self._edges).tolist(), len(keys)]
        for bucket in range(len(bounds) - 1):
            with open(self._spill_path(bucket), "ab") as out:
                out.write(keys[bounds[bucket]:bounds[bucket + 1]].tobytes())

    def save(self) -> None:
        """Sort the spilled buckets and write the list set (codes, offsets, blocks); the spill files go."""
        codes, offsets, total = [], [], 0
        with _BlockWriter(self.folder, f"{self.prefix}.docs") as docs, \
                _BlockWriter(self.folder, f"{self.prefix}.tfs") as tfs:
            for bucket in range(len(self._edges) + 1 if self._edges is not None else 0):
                path = self._spill_path(bucket)
                if not path.exists():
                    continue
                keys = np.fromfile(path, dtype=np.uint64)
                path.unlink()
                keys.sort()
                bucket_codes, starts = _encode(keys, docs, tfs)
                codes.append(bucket_codes)
                offsets.append(starts + total)
                total += len(keys)
        np.save(self.folder / f"{self.prefix}.codes.npy", np.concatenate(codes or [np.zeros(0, np.int64)]))
        np.save(self.folder / f"{self.prefix}.offsets.npy", np.concatenate(offsets + [[total]]).astype(np.int64))


def _encode(keys: np.ndarray, docs: "_BlockWriter", tfs: "_BlockWriter") -> tuple[np.ndarray, np.ndarray]:
    """Write sorted packed postings as gaps and tfs; returns the codes and the
    start of each code's list (a bucket's first posting always starts one)."""
    halves = keys.view(np.uint32).reshape(-1, 2)
    low, high = halves[:, 0 if _LITTLE else 1], halves[:, 1 if _LITTLE else 0]
    is_start = np.ones(len(keys), dtype=bool)          # the first posting of each list
    np.not_equal(high[1:], high[:-1], out=is_start[1:])
    starts = np.flatnonzero(is_start)
    numbers = low >> np.uint32(TF_BITS)
    gaps = numbers - np.concatenate([[0], numbers[:-1]]).astype(np.uint32)
    gaps[is_start] = numbers[is_start]
    docs.write(gaps)
    tfs.write((low & np.uint32(0xFF)).astype(np.uint8))
    return high[starts].astype(np.int64), starts


class _BlockWriter:
    """Appends arrays as Blosc-compressed blocks of ``BLOCK`` values;
    the byte offset of each block goes to ``<name>.blocks.npy``, its
    CRC-32 to ``<name>.crc.npy``."""

    def __init__(self, folder: Path, name: str):
        self.folder, self.name = folder, name
        self.out = open(folder / f"{name}.blosc", "wb")
        self.bounds = [0]
        self.crcs: list[int] = []
        self.pending: np.ndarray | None = None    # the tail of a write: less than a block

    def write(self, values: np.ndarray) -> None:
        if self.pending is not None:
            values = np.concatenate([self.pending, values])
        whole = len(values) - len(values) % BLOCK
        for at in range(0, whole, BLOCK):
            self._block(values[at:at + BLOCK])
        self.pending = values[whole:].copy()

    def _block(self, values: np.ndarray) -> None:
        data = blosc.compress(np.ascontiguousarray(values).tobytes(), typesize=values.dtype.itemsize,
                              clevel=_LEVEL, shuffle=blosc.BITSHUFFLE, cname="lz4")
        self.out.write(data)
        self.crcs.append(zlib.crc32(data))
        self.bounds.append(self.bounds[-1] + len(data))

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        if self.pending is not None and len(self.pending):
            self._block(self.pending)
        self.out.close()
        np.save(self.folder / f"{self.name}.blocks.npy", np.array(self.bounds, dtype=np.int64))
        np.save(self.folder / f"{self.name}.crc.npy", np.array(self.crcs, dtype=np.uint32))


class _BlockFile:
    """Read side of ``_BlockWriter``: values ``lo:hi`` from the blocks that
    hold them, read with one ``os.pread`` (the pages read stay in the OS cache,
    not in the server's resident memory, as they would with a memory map).
    Each block read is checked against its CRC-32 before it is decompressed."""

    def __init__(self, folder: Path, name: str, dtype, preload: bool = False):
        self.dtype = np.dtype(dtype)
        self.path = folder / f"{name}.blosc"
        self.bounds = np.load(folder / f"{name}.blocks.npy")
        self.crcs = _load_crcs(folder / f"{name}.crc.npy", len(self.bounds) - 1)
        self.fd = os.open(self.path, os.O_RDONLY)
        self.values: np.ndarray | None = None
        if preload:           # a small segment: inflated once, not one block per lookup
            self.values = self[0:int(1 << 62)] if len(self.bounds) > 1 else np.zeros(0, self.dtype)

    def __getitem__(self, bounds: slice) -> np.ndarray:
        lo, hi = bounds.start, bounds.stop
        if self.values is not None:
            return self.values[lo:hi]
        hi = min(hi, (len(self.bounds) - 1) * BLOCK)
        if hi <= lo:
            return np.zeros(0, self.dtype)
        first, last = lo // BLOCK, (hi - 1) // BLOCK
        start = int(self.bounds[first])
        data = memoryview(os.pread(self.fd, int(self.bounds[last + 1]) - start, start))
        blocks = [np.frombuffer(self._inflate(b, data[int(self.bounds[b]) - start:int(self.bounds[b + 1]) - start]),
                                self.dtype) for b in range(first, last + 1)]
        values = blocks[0] if len(blocks) == 1 else np.concatenate(blocks)
        return values[lo - first * BLOCK:hi - first * BLOCK]

    def _inflate(self, block: int, data: memoryview) -> bytes:
        """Block number ``block``'s values, decompressed once its bytes match their checksum."""
        if self.crcs is not None and zlib.crc32(data) != int(self.crcs[block]):
            raise damaged(self.path, f"block {block} fails its checksum (changed since the build)")
        return blosc.decompress(data)

    def close(self) -> None:
        self.values = None
        if getattr(self, "fd", -1) >= 0:
            os.close(self.fd)
            self.fd = -1

    __del__ = close      # a safety net: Generation.close() closes it first


def _load_crcs(path: Path, blocks: int) -> np.ndarray | None:
    """The recorded CRC-32 of each of ``blocks`` blocks (None: written before
    blocks had checksums, read unchecked); one per block, else damaged."""
    if not path.exists():
        return None
    try:
        crcs = np.load(path)
    except (ValueError, OSError, EOFError):
        raise damaged(path, "unreadable") from None
    if crcs.shape != (blocks,) or crcs.dtype != np.uint32:
        raise damaged(path, f"{crcs.shape} checksums for {blocks} blocks")
    return crcs


class ListReader:
    """One list set, read: the small arrays memory-mapped, the lists read by
    slice on demand, so opening is instant."""

    def __init__(self, folder: Path, prefix: str, preload: bool = False):
        self.codes = np.asarray(np.load(folder / f"{prefix}.codes.npy", mmap_mode="r"))
        self.offsets = np.load(folder / f"{prefix}.offsets.npy", mmap_mode="r")
        self.docs = _BlockFile(folder, f"{prefix}.docs", np.uint32, preload)
        self.tfs = _BlockFile(folder, f"{prefix}.tfs", np.uint8, preload)

    def close(self) -> None:
        """Close the block files and drop the memory maps (each holds a descriptor)."""
        self.docs.close()
        self.tfs.close()
        # Memory maps: each holds a descriptor and the (maybe deleted) file's disk space.
        self.codes = self.offsets = None

    def span(self, code: int) -> tuple[int, int]:
        """Where ``code``'s list lies in the posting sequence ((0, 0): no list)."""
        i = np.searchsorted(self.codes, code)
        if i >= len(self.codes) or self.codes[i] != code:
            return 0, 0
        return int(self.offsets[i]), int(self.offsets[i + 1])

    def passages(self, span: tuple[int, int]) -> np.ndarray:
        """The passage numbers of one list (``span`` of its block positions), gaps summed back."""
        return np.cumsum(self.docs[span[0]:span[1]], dtype=np.uint32)     # gaps → numbers

    def postings(self, span: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
        """(passages, occurrences) of the list at ``span``."""
        return self.passages(span), self.tfs[span[0]:span[1]]
