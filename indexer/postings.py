"""Character unigram + bigram postings: the exact-phrase layer of the index.

Lucene's CJK analyzers index overlapping bigrams so that any phrase can be
found whatever the word segmentation; this does the same, stored as numpy
arrays so a lookup is a binary search plus an array slice, not a Python loop.

Every character of the normalized passage texts gets a dense alphabet id ``a``
(1…A, in order of first appearance).  A unigram's code is ``a``; a bigram's is
``a1 * (A_MAX + 1) + a2``, which is always larger than any unigram's.  Postings
are sorted by (code, passage): ``codes`` (sorted) and ``offsets`` say where each
code's list lies in the posting sequence, whose passage numbers (``docs``) and
occurrences (``tfs``, capped at 255) are stored in compressed blocks.

Storage, as in Lucene's block postings: passage numbers become gaps from the
previous posting of the same list (a list's first keeps its number), cut into
blocks of ``BLOCK`` postings, byte-shuffled (all low bytes, then the next…,
so the mostly zero high bytes run together) and deflated; a lookup inflates
only the blocks its list spans.  On the benchmark's 100k passages this stores
154 MB of postings in 27 MB.

A phrase of one or two characters is answered by one posting list exactly; a
longer phrase by intersecting the postings of its rarest bigrams and verifying
the survivors with a substring test on the normalized text.
"""
from __future__ import annotations

import os
import sys
import zlib
from pathlib import Path

import numpy as np

_SEP = 0            # alphabet id of the separator between passages
_MAX_BIGRAMS = 6    # posting lists intersected for a long phrase; the rest is verified
BLOCK = 4096        # postings per compressed block
_SLICE_BLOCKS = 64  # blocks encoded at a time while writing: bounds the temporaries
_LEVEL = 1          # deflate level: 6 saves 3% more and takes 3x as long


def codepoints(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)


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
    caller need not hold every normalized text at once; ``save`` writes them."""

    def __init__(self, expected_chars: int = 0):
        self._ids = np.zeros(0x110000, dtype=np.int32)   # code point → alphabet id
        self.alphabet: list[int] = []                     # alphabet id - 1 → code point
        # One array for every posting, sized for the expected text (a passage of
        # n characters has at most 2n postings); untouched pages cost nothing.
        # Chunks kept as arrays of their own would fragment the heap: freed
        # temporaries between them could not be given back.
        self._keys = np.empty(max(2 * expected_chars, 1 << 16), dtype=np.uint64)
        self._count = 0
        self.passages = 0

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
        self._append(keys | np.minimum(counts, 255).astype(np.uint64))
        self.passages += len(norm_texts)

    def _append(self, keys: np.ndarray) -> None:
        end = self._count + len(keys)
        if end > len(self._keys):                 # longer than expected (NFKC can expand)
            grown = np.empty(max(end, 2 * len(self._keys)), dtype=np.uint64)
            grown[:self._count] = self._keys[:self._count]
            self._keys = grown
        self._keys[self._count:end] = keys
        self._count = end

    def _alphabet_ids(self, cps: np.ndarray) -> np.ndarray:
        new = np.unique(cps[self._ids[cps] == 0])
        new = new[new != 0]
        if len(self.alphabet) + len(new) > _ALPHABET_MAX:
            raise ValueError("more than 65,534 distinct characters: too many for packed bigram codes")
        self._ids[new] = np.arange(len(self.alphabet) + 1, len(self.alphabet) + 1 + len(new))
        self.alphabet.extend(int(c) for c in new)
        return self._ids[cps].astype(np.int64)

    def save(self, folder: Path) -> None:
        keys = self._keys[:self._count]
        keys.sort()
        halves = keys.view(np.uint32).reshape(-1, 2)
        low, high = halves[:, 0 if _LITTLE else 1], halves[:, 1 if _LITTLE else 0]
        is_start = np.ones(len(keys), dtype=bool)          # the first posting of each list
        np.not_equal(high[1:], high[:-1], out=is_start[1:])
        starts = np.flatnonzero(is_start)
        np.save(folder / "postings.alphabet.npy", np.array(self.alphabet, dtype=np.uint32))
        np.save(folder / "postings.codes.npy", high[starts].astype(np.int64))
        np.save(folder / "postings.offsets.npy", np.append(starts, len(keys)).astype(np.int64))
        del starts
        with _BlockWriter(folder, "docs") as docs, _BlockWriter(folder, "tfs") as tfs:
            step = _SLICE_BLOCKS * BLOCK
            for at in range(0, len(keys), step):
                part = low[at:at + step]
                numbers = part >> np.uint32(_TF_BITS)
                previous = np.concatenate([low[at - 1:at] >> np.uint32(_TF_BITS) if at else [0], numbers[:-1]])
                gaps = np.where(is_start[at:at + step], numbers, numbers - previous.astype(np.uint32))
                docs.write(gaps.astype(np.uint32))
                tfs.write((part & np.uint32(0xFF)).astype(np.uint8))
        self._keys = None


class _BlockWriter:
    """Appends arrays as byte-shuffled, deflated blocks of ``BLOCK`` values;
    the byte offset of each block goes to ``postings.<name>.blocks.npy``."""

    def __init__(self, folder: Path, name: str):
        self.folder, self.name = folder, name
        self.out = open(folder / f"postings.{name}.z", "wb")
        self.bounds = [0]

    def write(self, values: np.ndarray) -> None:
        for at in range(0, len(values), BLOCK):
            data = zlib.compress(_shuffle(values[at:at + BLOCK]), _LEVEL)
            self.out.write(data)
            self.bounds.append(self.bounds[-1] + len(data))

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.out.close()
        np.save(self.folder / f"postings.{self.name}.blocks.npy", np.array(self.bounds, dtype=np.int64))


def _shuffle(values: np.ndarray) -> bytes:
    width = values.dtype.itemsize
    return np.ascontiguousarray(values.view(np.uint8).reshape(-1, width).T).tobytes()


def _unshuffle(data: bytes, dtype: np.dtype) -> np.ndarray:
    width = dtype.itemsize
    planes = np.frombuffer(data, dtype=np.uint8).reshape(width, -1)
    return np.ascontiguousarray(planes.T).view(dtype).ravel()


class _BlockFile:
    """Read side of ``_BlockWriter``: values ``lo:hi`` from the blocks that
    hold them, read with one ``os.pread`` (the pages read stay in the OS cache,
    not in the server's resident memory, as they would with a memory map)."""

    def __init__(self, folder: Path, name: str, dtype):
        self.dtype = np.dtype(dtype)
        self.bounds = np.load(folder / f"postings.{name}.blocks.npy")
        self.fd = os.open(folder / f"postings.{name}.z", os.O_RDONLY)

    def __getitem__(self, bounds: slice) -> np.ndarray:
        lo, hi = bounds.start, bounds.stop
        if hi <= lo:
            return np.zeros(0, self.dtype)
        first, last = lo // BLOCK, (hi - 1) // BLOCK
        start = int(self.bounds[first])
        data = os.pread(self.fd, int(self.bounds[last + 1]) - start, start)
        blocks = [_unshuffle(zlib.decompress(data[int(self.bounds[b]) - start:int(self.bounds[b + 1]) - start]),
                             self.dtype) for b in range(first, last + 1)]
        values = blocks[0] if len(blocks) == 1 else np.concatenate(blocks)
        return values[lo - first * BLOCK:hi - first * BLOCK]

    def close(self) -> None:
        os.close(self.fd)


class Postings:
    """Read side: the small arrays (alphabet, codes, offsets) memory-mapped,
    the posting lists read by slice on demand, so opening is instant."""

    def __init__(self, folder: Path):
        load = lambda name: np.load(folder / f"postings.{name}.npy", mmap_mode="r")  # noqa: E731
        alphabet = np.asarray(load("alphabet"))
        order = np.argsort(alphabet, kind="stable")
        self.alphabet = alphabet[order]                 # sorted, for searchsorted
        self._alphabet_ids = order.astype(np.int64) + 1
        self.codes = np.asarray(load("codes"))
        self.offsets = load("offsets")
        self.docs = _BlockFile(folder, "docs", np.uint32)
        self.tfs = _BlockFile(folder, "tfs", np.uint8)

    def close(self) -> None:
        self.docs.close()
        self.tfs.close()

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
        if codes is None:
            return np.zeros(0, np.uint32), None, True
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
