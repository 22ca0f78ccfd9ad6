"""Character unigram + bigram postings: the exact-phrase layer of the index.

Lucene's CJK analyzers index overlapping bigrams so that any phrase can be
found whatever the word segmentation; this does the same, stored as numpy
arrays so a lookup is a binary search plus an array slice, not a Python loop.

Every character of the normalized passage texts is mapped to a dense alphabet
id ``a`` (1…A).  A unigram's code is ``a``; a bigram's is ``a1 * (A + 1) + a2``,
which is always larger than A.  Postings are sorted by (code, passage) and kept
as CSR arrays: ``codes`` (sorted), ``offsets`` into ``docs`` (passage numbers)
and ``tfs`` (occurrences, capped at 255).

A phrase of one or two characters is answered by one posting list exactly; a
longer phrase by intersecting the postings of its rarest bigrams and verifying
the survivors with a substring test on the normalized text.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np

_SEP = 0            # alphabet id of the separator between passages
_CHUNK = 8_000      # passages per chunk while building: bounds peak memory
_MAX_BIGRAMS = 6    # posting lists intersected for a long phrase; the rest is verified


def codepoints(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)


# A posting packed in one uint64, so one in-place sort orders them all:
# gram code (high 32 bits) | passage number (24 bits) | occurrences (8 bits).
# The two 32-bit halves are then read through views, without 64-bit temporaries.
_DOC_BITS, _TF_BITS = 24, 8
_LITTLE = sys.byteorder == "little"
MAX_PASSAGES = 1 << _DOC_BITS


def build_postings(norm_texts: list[str]) -> dict[str, np.ndarray]:
    """CSR postings of all unigrams and bigrams of ``norm_texts``."""
    if len(norm_texts) > MAX_PASSAGES:
        raise ValueError(f"an index holds at most {MAX_PASSAGES} passages")
    alphabet = np.unique(np.concatenate(
        [np.unique(codepoints("".join(norm_texts[i:i + _CHUNK]))) for i in range(0, len(norm_texts), _CHUNK)]
        or [np.zeros(0, np.uint32)]))
    if (len(alphabet) + 1) ** 2 >= 1 << (64 - _DOC_BITS - _TF_BITS):
        raise ValueError(f"{len(alphabet)} distinct characters: too many for packed bigram codes")
    # Room for the most postings there can be; pages never written never become
    # resident, so this costs only what is used, and no chunk list is held.
    keys = np.empty(sum(2 * len(t) for t in norm_texts), dtype=np.uint64)
    at = 0
    for start in range(0, len(norm_texts), _CHUNK):
        part = _chunk_keys(norm_texts, start, alphabet)
        keys[at:at + len(part)] = part
        at += len(part)
    keys = keys[:at]
    keys.sort()
    halves = keys.view(np.uint32).reshape(-1, 2)
    low, high = halves[:, 0 if _LITTLE else 1], halves[:, 1 if _LITTLE else 0]
    tfs = (low & np.uint32(0xFF)).astype(np.uint8)
    docs = low >> np.uint32(_TF_BITS)
    boundaries = np.flatnonzero(high[1:] != high[:-1]) + 1
    starts = np.concatenate([[0], boundaries]).astype(np.int64) if len(keys) else boundaries
    codes = high[starts].astype(np.int64)
    offsets = np.append(starts, len(keys)).astype(np.int64)
    del keys, halves, low, high
    return {"alphabet": alphabet, "codes": codes, "offsets": offsets, "docs": docs, "tfs": tfs}


def _chunk_keys(norm_texts: list[str], start: int, alphabet: np.ndarray) -> np.ndarray:
    """Packed, sorted, unique postings of one chunk of passages."""
    texts = norm_texts[start:start + _CHUNK]
    cps = codepoints("\x00".join(texts))
    ids = np.searchsorted(alphabet, cps).astype(np.int64) + 1
    ids[cps == 0] = _SEP
    lengths = np.fromiter((len(t) + 1 for t in texts), dtype=np.int64, count=len(texts))
    doc = np.repeat(np.arange(start, start + len(texts), dtype=np.uint64), lengths)[:len(cps)]
    size = len(alphabet) + 1
    uni = ids != _SEP
    pair = uni[:-1] & uni[1:]
    codes = np.concatenate([ids[uni], ids[:-1][pair] * size + ids[1:][pair]]).astype(np.uint64)
    owners = np.concatenate([doc[uni], doc[:-1][pair]])
    keys, counts = np.unique((codes << np.uint64(32)) | (owners << np.uint64(_TF_BITS)), return_counts=True)
    return keys | np.minimum(counts, 255).astype(np.uint64)


def save_postings(arrays: dict[str, np.ndarray], folder: Path) -> None:
    for name, array in arrays.items():
        np.save(folder / f"postings.{name}.npy", array)


class _ArrayFile:
    """A 1-d ``.npy`` file read by slices with ``os.pread``.  Unlike a memory
    map, the pages read stay in the OS cache, not in the server's resident
    memory, which otherwise grows toward the whole postings file as queries
    touch more lists.  One system call per posting list."""

    def __init__(self, path: Path):
        header = np.load(path, mmap_mode="r")
        self.dtype, self.offset, self.size = header.dtype, header.offset, len(header)
        del header
        self.fd = os.open(path, os.O_RDONLY)

    def __getitem__(self, bounds: slice) -> np.ndarray:
        lo, hi = bounds.start, bounds.stop
        width = self.dtype.itemsize
        data = os.pread(self.fd, (hi - lo) * width, self.offset + lo * width)
        return np.frombuffer(data, dtype=self.dtype)

    def close(self) -> None:
        os.close(self.fd)


class Postings:
    """Read side: the small arrays (alphabet, codes, offsets) memory-mapped,
    the posting lists read by slice on demand, so opening is instant."""

    def __init__(self, folder: Path):
        load = lambda name: np.load(folder / f"postings.{name}.npy", mmap_mode="r")  # noqa: E731
        self.alphabet = np.asarray(load("alphabet"))
        self.codes = np.asarray(load("codes"))
        self.offsets = load("offsets")
        self.docs = _ArrayFile(folder / "postings.docs.npy")
        self.tfs = _ArrayFile(folder / "postings.tfs.npy")
        self._size = len(self.alphabet) + 1

    def close(self) -> None:
        self.docs.close()
        self.tfs.close()

    def _ids(self, term: str) -> np.ndarray | None:
        cps = codepoints(term)
        at = np.searchsorted(self.alphabet, cps)
        if (at >= len(self.alphabet)).any() or (self.alphabet[np.minimum(at, len(self.alphabet) - 1)] != cps).any():
            return None                      # a character no passage has
        return at.astype(np.int64) + 1

    def _slice(self, code: int) -> tuple[np.ndarray, np.ndarray]:
        i = np.searchsorted(self.codes, code)
        if i >= len(self.codes) or self.codes[i] != code:
            return np.zeros(0, np.uint32), np.zeros(0, np.uint8)
        lo, hi = int(self.offsets[i]), int(self.offsets[i + 1])
        return self.docs[lo:hi], self.tfs[lo:hi]

    def gram_codes(self, term: str) -> list[int] | None:
        ids = self._ids(term)
        if ids is None or len(ids) == 0:
            return None
        if len(ids) == 1:
            return [int(ids[0])]
        return [int(c) for c in ids[:-1] * self._size + ids[1:]]

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
        lists = sorted((self._slice(c)[0] for c in set(codes)), key=len)
        result = np.asarray(lists[0])
        for other in lists[1:_MAX_BIGRAMS]:
            if len(result) == 0:
                break
            result = intersect_sorted(result, other)
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
