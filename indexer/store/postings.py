"""Character unigram + bigram postings: the exact-phrase layer of the index.

Lucene's CJK analyzers index overlapping bigrams so that any phrase can be
found whatever the word segmentation; this does the same, stored as numpy
arrays so a lookup is a binary search plus an array slice, not a Python loop.

Every character of the normalized passage texts gets a dense alphabet id ``a``
(1…A, in order of first appearance).  A unigram's code is ``a``; a bigram's is
``a1 * (A_MAX + 1) + a2``, which is always larger than any unigram's.  Postings
are sorted by (code, passage): ``codes`` (sorted) and ``offsets`` say where each
code's list lies in the posting sequence, whose passage numbers (``docs``) and
occurrences (``tfs``) are stored in compressed blocks.

A term's frequency in a passage is the number of its occurrences, overlapping
ones included (``00`` occurs twice in ``2000``: the grams of every position are
counted), capped at ``TF_MAX``: :func:`counter` is that rule for a term of any
length, so a longer term verified by substring counts as a posted one does.

Storage, as in Lucene's block postings: passage numbers become gaps from the
previous posting of the same list (a list's first keeps its number), cut into
blocks of ``BLOCK`` postings, each compressed by Blosc (bit-shuffled, so the
mostly zero high bits run together, then LZ4); a lookup decompresses only the
blocks its list spans.  Blosc decodes a common character's million postings
five times as fast as the deflate used before (2 vs 12 ms), for a fifth more
disk.  python-blosc rather than python-blosc2: the same C codecs, without
blosc2's import of httpx, pydantic and rich (30 MB in every server).

A phrase of one or two characters is answered by one posting list exactly; a
longer phrase by intersecting the postings of its rarest bigrams and verifying
the survivors with a substring test on the normalized text.
"""
from __future__ import annotations

import os
import re
import sys
from itertools import repeat
from operator import methodcaller
from pathlib import Path

import blosc
import numpy as np

_SEP = 0            # alphabet id of the separator between passages
_MAX_BIGRAMS = 6    # posting lists intersected for a long phrase; the rest is verified
BLOCK = 4096        # postings per compressed block
_BUCKETS = 16       # spill files by gram code range: the build sorts one at a time
_LEVEL = 5          # Blosc's default; LZ4 decodes as fast at any level
TF_MAX = 255        # occurrences per passage stored (one byte)


def codepoints(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)


def counter(term: str):
    """``text → occurrences of term in text``, overlapping ones included (not yet
    capped at ``TF_MAX``).  ``str.count`` (C speed) skips overlaps, so it serves
    only a term no two occurrences of which can overlap: one with no border (no
    proper prefix that is also a suffix), as most words are."""
    if not overlaps(term):
        return methodcaller("count", term)
    findall = re.compile(f"(?={re.escape(term)})").findall
    return lambda text: len(findall(text))


def overlaps(term: str) -> bool:
    """Can two occurrences of ``term`` overlap (has it a proper prefix that is also a suffix)?"""
    return any(term[:k] == term[-k:] for k in range(1, len(term)))


def count_in(texts, term: str) -> np.ndarray:
    """Occurrences of ``term`` in each of ``texts`` (overlapping ones included, not
    capped), as float32.  ``map(str.count, …)`` runs without a Python frame per
    text: a common phrase's 255k candidates at 1.3M passages are verified here."""
    if overlaps(term):
        return np.fromiter(map(counter(term), texts), dtype=np.float32, count=len(texts))
    return np.fromiter(map(str.count, texts, repeat(term)), dtype=np.float32, count=len(texts))


# A posting packed in one uint64, so one in-place sort orders them all:
# gram code (high 32 bits) | passage number (24 bits) | occurrences (8 bits).
# The two 32-bit halves are then read through views, without 64-bit temporaries.
_DOC_BITS, _TF_BITS = 24, 8
_LITTLE = sys.byteorder == "little"
MAX_PASSAGES = 1 << _DOC_BITS
_ALPHABET_MAX = 65534        # (A_MAX + 1) ** 2 must fit the 32 code bits
_BIGRAM_BASE = _ALPHABET_MAX + 1


class PostingsBuilder:
    """Postings of passages fed in order, chunk by chunk (``add``), so the
    caller need not hold every normalized text at once; ``save`` writes them.

    Each chunk's postings are spilled to ``_BUCKETS`` files by gram code range
    (ranges cut at the first chunk's quantiles), and ``save`` sorts one bucket
    at a time: memory holds about a sixteenth of the postings, not all of them
    (8 bytes each: 1 GB at 400k passages)."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self._ids = np.zeros(0x110000, dtype=np.int32)   # code point → alphabet id
        self.alphabet: list[int] = []                     # alphabet id - 1 → code point
        self._edges: np.ndarray | None = None             # first key of buckets 1…
        self.passages = 0

    def _spill_path(self, bucket: int) -> Path:
        return self.folder / f"postings.spill-{bucket:02d}.tmp"

    def add(self, norm_texts: list[str]) -> None:
        if self.passages + len(norm_texts) > MAX_PASSAGES:
            raise ValueError(f"an index holds at most {MAX_PASSAGES} passages")
        cps = codepoints("\x00".join(norm_texts))
        ids = self._alphabet_ids(cps)
        lengths = np.fromiter((len(t) + 1 for t in norm_texts), dtype=np.int64, count=len(norm_texts))
        first = self.passages
        doc = np.repeat(np.arange(first, first + len(norm_texts), dtype=np.uint64), lengths)[:len(cps)]
        uni = ids != _SEP
        pair = uni[:-1] & uni[1:]
        codes = np.concatenate([ids[uni], ids[:-1][pair] * _BIGRAM_BASE + ids[1:][pair]]).astype(np.uint64)
        owners = np.concatenate([doc[uni], doc[:-1][pair]])
        keys, counts = np.unique((codes << np.uint64(32)) | (owners << np.uint64(_TF_BITS)), return_counts=True)
        self._spill(keys | np.minimum(counts, TF_MAX).astype(np.uint64))
        self.passages += len(norm_texts)

    def _spill(self, keys: np.ndarray) -> None:
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

    def _alphabet_ids(self, cps: np.ndarray) -> np.ndarray:
        new = np.unique(cps[self._ids[cps] == 0])
        new = new[new != 0]
        if len(self.alphabet) + len(new) > _ALPHABET_MAX:
            raise ValueError("more than 65,534 distinct characters: too many for packed bigram codes")
        self._ids[new] = np.arange(len(self.alphabet) + 1, len(self.alphabet) + 1 + len(new))
        self.alphabet.extend(int(c) for c in new)
        return self._ids[cps].astype(np.int64)

    def save(self) -> None:
        """Sort each bucket and write the postings files (see the module doc)."""
        codes, offsets, total = [], [], 0
        with _BlockWriter(self.folder, "docs") as docs, _BlockWriter(self.folder, "tfs") as tfs:
            for bucket in range(len(self._edges) + 1 if self._edges is not None else 0):
                path = self._spill_path(bucket)
                keys = np.fromfile(path, dtype=np.uint64)
                path.unlink()
                keys.sort()
                bucket_codes, starts = _encode(keys, docs, tfs)
                codes.append(bucket_codes)
                offsets.append(starts + total)
                total += len(keys)
        np.save(self.folder / "postings.alphabet.npy", np.array(self.alphabet, dtype=np.uint32))
        np.save(self.folder / "postings.codes.npy", np.concatenate(codes or [np.zeros(0, np.int64)]))
        np.save(self.folder / "postings.offsets.npy", np.concatenate(offsets + [[total]]).astype(np.int64))


def _encode(keys: np.ndarray, docs: _BlockWriter, tfs: _BlockWriter) -> tuple[np.ndarray, np.ndarray]:
    """Write sorted packed postings as gaps and tfs; returns the codes and the
    start of each code's list (a bucket's first posting always starts one)."""
    halves = keys.view(np.uint32).reshape(-1, 2)
    low, high = halves[:, 0 if _LITTLE else 1], halves[:, 1 if _LITTLE else 0]
    is_start = np.ones(len(keys), dtype=bool)          # the first posting of each list
    np.not_equal(high[1:], high[:-1], out=is_start[1:])
    starts = np.flatnonzero(is_start)
    numbers = low >> np.uint32(_TF_BITS)
    gaps = numbers - np.concatenate([[0], numbers[:-1]]).astype(np.uint32)
    gaps[is_start] = numbers[is_start]
    docs.write(gaps)
    tfs.write((low & np.uint32(0xFF)).astype(np.uint8))
    return high[starts].astype(np.int64), starts


class _BlockWriter:
    """Appends arrays as Blosc-compressed blocks of ``BLOCK`` values;
    the byte offset of each block goes to ``postings.<name>.blocks.npy``."""

    def __init__(self, folder: Path, name: str):
        self.folder, self.name = folder, name
        self.out = open(folder / f"postings.{name}.blosc", "wb")
        self.bounds = [0]
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
        self.bounds.append(self.bounds[-1] + len(data))

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        if self.pending is not None and len(self.pending):
            self._block(self.pending)
        self.out.close()
        np.save(self.folder / f"postings.{self.name}.blocks.npy", np.array(self.bounds, dtype=np.int64))


class _BlockFile:
    """Read side of ``_BlockWriter``: values ``lo:hi`` from the blocks that
    hold them, read with one ``os.pread`` (the pages read stay in the OS cache,
    not in the server's resident memory, as they would with a memory map)."""

    def __init__(self, folder: Path, name: str, dtype, preload: bool = False):
        self.dtype = np.dtype(dtype)
        self.bounds = np.load(folder / f"postings.{name}.blocks.npy")
        self.fd = os.open(folder / f"postings.{name}.blosc", os.O_RDONLY)
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
        data = os.pread(self.fd, int(self.bounds[last + 1]) - start, start)
        blocks = [np.frombuffer(blosc.decompress(data[int(self.bounds[b]) - start:int(self.bounds[b + 1]) - start]),
                                self.dtype) for b in range(first, last + 1)]
        values = blocks[0] if len(blocks) == 1 else np.concatenate(blocks)
        return values[lo - first * BLOCK:hi - first * BLOCK]

    def close(self) -> None:
        if getattr(self, "fd", -1) >= 0:
            os.close(self.fd)
            self.fd = -1

    __del__ = close      # a safety net: Generation.close() closes it first


class Postings:
    """Read side: the small arrays (alphabet, codes, offsets) memory-mapped,
    the posting lists read by slice on demand, so opening is instant."""

    def __init__(self, folder: Path, preload: bool = False):
        load = lambda name: np.load(folder / f"postings.{name}.npy", mmap_mode="r")  # noqa: E731
        alphabet = np.asarray(load("alphabet"))
        order = np.argsort(alphabet, kind="stable")
        self.alphabet = alphabet[order]                 # sorted, for searchsorted
        self._alphabet_ids = order.astype(np.int64) + 1
        self.codes = np.asarray(load("codes"))
        self.offsets = load("offsets")
        self.docs = _BlockFile(folder, "docs", np.uint32, preload)
        self.tfs = _BlockFile(folder, "tfs", np.uint8, preload)

    def close(self) -> None:
        self.docs.close()
        self.tfs.close()
        self.offsets = None      # a memory map: it holds the (maybe deleted) file's disk space

    def _ids(self, term: str) -> np.ndarray | None:
        cps = codepoints(term)
        at = np.searchsorted(self.alphabet, cps)
        if (at >= len(self.alphabet)).any() or (self.alphabet[np.minimum(at, len(self.alphabet) - 1)] != cps).any():
            return None                      # a character no passage has
        return self._alphabet_ids[at]

    def _bounds(self, code: int) -> tuple[int, int]:
        i = np.searchsorted(self.codes, code)
        if i >= len(self.codes) or self.codes[i] != code:
            return 0, 0
        return int(self.offsets[i]), int(self.offsets[i + 1])

    def _slice(self, code: int) -> tuple[np.ndarray, np.ndarray]:
        lo, hi = self._bounds(code)
        return np.cumsum(self.docs[lo:hi], dtype=np.uint32), self.tfs[lo:hi]   # gaps → numbers

    def gram_codes(self, term: str) -> list[int] | None:
        ids = self._ids(term)
        if ids is None or len(ids) == 0:
            return None
        if len(ids) == 1:
            return [int(ids[0])]
        return [int(c) for c in ids[:-1] * _BIGRAM_BASE + ids[1:]]

    def candidates(self, term: str) -> tuple[np.ndarray, np.ndarray | None, bool]:
        """(passages that may contain ``term``, their tf when exact, exact?).

        One- and two-character terms are exact; longer ones are a superset that
        the caller verifies."""
        codes = self.gram_codes(term)
        if codes is None:      # a character no passage has: no passage, exactly
            return np.zeros(0, np.uint32), np.zeros(0, np.uint8), True
        if len(codes) == 1:
            docs, tfs = self._slice(codes[0])
            return docs, tfs, True
        spans = sorted((self._bounds(c) for c in set(codes)), key=lambda span: span[1] - span[0])
        decode = lambda span: np.cumsum(self.docs[span[0]:span[1]], dtype=np.uint32)  # noqa: E731
        result = decode(spans[0])
        for span in spans[1:_MAX_BIGRAMS]:
            if len(result) == 0:
                break
            result = intersect_sorted(result, decode(span))
        return result, None, False


def intersect_sorted(small: np.ndarray, big: np.ndarray) -> np.ndarray:
    """Intersection of two sorted arrays of unique values, in time
    O(len(small) · log len(big)) rather than a full merge."""
    if len(small) > len(big):
        small, big = big, small
    if len(small) == 0:
        return np.asarray(small)
    at = np.searchsorted(big, small)
    at[at >= len(big)] = len(big) - 1
    return np.asarray(small)[np.asarray(big)[at] == small]
