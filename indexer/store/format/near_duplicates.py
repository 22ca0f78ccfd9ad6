"""Near-identical passages across reports, found at build time with MinHash
and LSH (``datasketch``), written as ``near_duplicates.npz`` beside the rest.

A passage is a set of character 5-grams of its normalized text (whitespace,
width and script already folded); two passages from different reports whose
sets have a Jaccard similarity of at least ``THRESHOLD`` are near-identical.
LSH proposes candidates, the exact Jaccard of the two sets decides, so a
reported pair is never a MinHash false positive.  Short passages (headings,
"一、主要举措和成效") repeat in every report and are left out.

The file holds each pair twice (a→b and b→a), sorted by ``a``: the passages
near a given one are a binary search away.  An index built before this step
existed has no file: readers see no near-duplicates.

Updates: each segment keeps its passages' LSH band keys (``BANDS``: one 64-bit
key per band, from the MinHash of its rows); two passages are candidates when
they share a band key, so whether a pair is reported depends on the two
passages only.  An update therefore keeps the previous generation's pairs
between passages still served and looks for new pairs only among those
involving a passage of the new segment: the same pairs a full rebuild finds.
"""
from __future__ import annotations

import io
from pathlib import Path

import numpy as np


FILE = "near_duplicates.npz"
THRESHOLD = 0.8
MIN_CHARS = 50            # shorter passages are headings and stock phrases
SHINGLE = 5
NUM_PERM = 64


def shingles(norm: str) -> np.ndarray:
    """Sorted distinct 32-bit hashes of the text's character ``SHINGLE``-grams."""
    codes = np.frombuffer(norm.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if len(codes) < SHINGLE:
        return np.unique(codes)
    hashed = np.zeros(len(codes) - SHINGLE + 1, dtype=np.uint64)
    for k in range(SHINGLE):                  # a polynomial hash of each window, vectorised
        hashed = (hashed * np.uint64(1_000_003) + codes[k:len(codes) - SHINGLE + 1 + k]) & np.uint64(0xFFFFFFFF)
    return np.unique(hashed)


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """The Jaccard similarity of two sets of unique keys (0 for two empty ones)."""
    both = len(np.intersect1d(a, b, assume_unique=True))
    return both / (len(a) + len(b) - both) if len(a) + len(b) else 0.0


BANDS = "minhash_bands.npy"     # in each segment: (rows, bands) uint64, 0 for short rows


def band_shape() -> tuple[int, int]:
    """(bands, rows per band) datasketch's LSH picks for ``THRESHOLD`` and ``NUM_PERM``."""
    from datasketch import MinHashLSH   # build-time only

    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    return lsh.b, lsh.r


def band_keys(norm_texts: list[str]) -> np.ndarray:
    """Per passage, one 64-bit key per LSH band of its MinHash (0 for a passage
    shorter than ``MIN_CHARS``, which takes no part)."""
    bands, width = band_shape()
    keys = np.zeros((len(norm_texts), bands), dtype=np.uint64)
    rows = [seq for seq, text in enumerate(norm_texts) if len(text) >= MIN_CHARS]
    if rows:
        values = np.stack([m.hashvalues for m in _minhashes(norm_texts, rows)]).astype(np.uint64)
        for band in range(bands):
            key = np.zeros(len(rows), dtype=np.uint64)
            for column in values[:, band * width:(band + 1) * width].T:   # a polynomial hash of the band
                key = key * np.uint64(0x100000001B3) + column + np.uint64(1)
            keys[rows, band] = key
    return keys


def new_pairs(keys: np.ndarray, eligible: np.ndarray, fresh: np.ndarray, report_of: np.ndarray,
              norm_texts) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(a, b, similarity), a < b, for every near-identical pair of passages from
    two reports, sharing an LSH band, at least one of them ``fresh``."""
    a, b = _candidates(keys, eligible, fresh, report_of)
    cache: dict[int, np.ndarray] = {}

    def grams(seq: int) -> np.ndarray:
        if seq not in cache:
            cache[seq] = shingles(norm_texts[seq])
        return cache[seq]
    similarity = np.array([jaccard(grams(x), grams(y)) for x, y in zip(a.tolist(), b.tolist())], dtype=np.float32)
    keep = similarity >= THRESHOLD
    return a[keep], b[keep], similarity[keep]


def _candidates(keys: np.ndarray, eligible: np.ndarray, fresh: np.ndarray,
                report_of: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct (a, b), a < b, of two reports, sharing a band key, at least one
    ``fresh``.  A report repeating one paragraph 10,000 times makes a group of
    10,000 in each band: its pairs are left out before they are made, not after."""
    rows = np.flatnonzero(eligible)
    found = [np.zeros((2, 0), dtype=np.int64)]
    for band in range(keys.shape[1] if len(rows) else 0):
        order = np.argsort(keys[rows, band], kind="stable")
        members, sorted_keys = rows[order], keys[rows, band][order]
        starts = np.flatnonzero(np.concatenate([[True], sorted_keys[1:] != sorted_keys[:-1]]))
        sizes = np.diff(np.append(starts, len(members)))
        with_fresh = np.add.reduceat(fresh[members].astype(np.int64), starts) > 0
        for start, size in zip(starts[(sizes > 1) & with_fresh].tolist(), sizes[(sizes > 1) & with_fresh].tolist()):
            group = members[start:start + size]
            reports = report_of[group]
            if reports.min() == reports.max():
                continue
            first, second = np.triu_indices(size, 1)
            keep = (fresh[group[first]] | fresh[group[second]]) & (reports[first] != reports[second])
            found.append(np.stack([group[first[keep]], group[second[keep]]]))
    pairs = np.concatenate(found, axis=1)
    low, high = np.minimum(pairs[0], pairs[1]), np.maximum(pairs[0], pairs[1])
    unique = np.unique(np.stack([low, high]), axis=1)
    return unique[0], unique[1]


def _minhashes(norm_texts: list[str], rows: list[int], chunk: int = 2000) -> list:
    """LeanMinHash of each row's shingles, made a chunk at a time so only one
    chunk's shingles are ever held as Python ints."""
    from datasketch import LeanMinHash, MinHash

    out = []
    for start in range(0, len(rows), chunk):
        batch = [shingles(norm_texts[seq]).tolist() for seq in rows[start:start + chunk]]
        # The shingles are hashes already: datasketch's hash function is the identity.
        out += [LeanMinHash(m) for m in MinHash.bulk(batch, num_perm=NUM_PERM, hashfunc=int)]
    return out


def save_pairs(folder: Path, a: np.ndarray, b: np.ndarray, similarity: np.ndarray) -> int:
    """Write the pairs (a < b) as ``FILE`` in a generation's folder; returns their number."""
    both_a, both_b = np.concatenate([a, b]), np.concatenate([b, a])
    order = np.lexsort((both_b, both_a))
    np.savez(folder / FILE, a=both_a[order], b=both_b[order], similarity=np.concatenate([similarity] * 2)[order])
    return len(a)


class NearDuplicates:
    """The pairs of a generation, for lookups by passage row."""

    def __init__(self, folder: Path, read=None):
        path = Path(folder) / FILE
        if path.exists():
            # ``read(name)``: the file's bytes checked against the build's table (``Generation``).
            source = io.BytesIO(read(FILE)) if read else path
            with np.load(source) as data:
                self.a, self.b, self.similarity = data["a"], data["b"], data["similarity"]
        else:
            self.a = self.b = np.zeros(0, dtype=np.int64)
            self.similarity = np.zeros(0, dtype=np.float32)

    def of(self, seq: int) -> list[tuple[int, float]]:
        """(row, similarity) of the passages near-identical to row ``seq``, most similar first."""
        start, end = np.searchsorted(self.a, [seq, seq + 1])
        found = sorted(zip(self.b[start:end].tolist(), self.similarity[start:end].tolist()), key=lambda p: -p[1])
        return found

    def rows(self) -> np.ndarray:
        """Every passage row that has a near-identical passage in another report."""
        return np.unique(self.a)
