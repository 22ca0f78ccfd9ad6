"""Near-identical passages across reports, found at build time with MinHash
and LSH (``datasketch``), written as ``near_duplicates.npz`` beside the rest
(the finding itself: ``indexer.store.writer.near_pairs``).

A passage is a set of character 5-grams of its normalized text (whitespace,
width and script already folded); two passages from different reports whose
sets have a Jaccard similarity of at least ``THRESHOLD`` are near-identical.
LSH proposes candidates, the exact Jaccard of the two sets decides, so a
reported pair is never a MinHash false positive.  Short passages (headings,
"一、主要举措和成效") repeat in every report and are left out.

Identical passages are one text: the file holds pairs of distinct *texts*
(each named by a 64-bit hash of its normalized text, kept per row beside its
band keys), not of passages.  A paragraph copied into 1,000 reports is one
text with 1,000 rows, not 499,500 pairs: the file grows with the distinct
texts that have a near-identical other, and the passages near a given one are
its text's other rows plus the rows of the texts paired with it, in other
reports.  Each pair is held twice (a→b and b→a), sorted by ``a``: a binary
search away.  An index built before this step existed has no file: readers see
no near-duplicates; one whose file holds passage pairs (``a``, ``b``: the
format before texts) is read as it is.

Updates: each segment keeps its passages' LSH band keys (``BANDS``: one 64-bit
key per band, from the MinHash of its rows, then the text's hash); two texts
are candidates when they share a band key, so whether a pair is kept depends
on the two texts and the reports holding them.  An update therefore keeps the
previous generation's pairs between texts whose reports did not change and
looks again at every text a new or removed passage holds: the same pairs a
full rebuild finds.
"""
from __future__ import annotations

import hashlib
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


BANDS = "minhash_bands.npy"     # in each segment: (rows, bands + 1) uint64: band keys, text hash; 0 for short rows


def band_shape() -> tuple[int, int]:
    """(bands, rows per band) datasketch's LSH picks for ``THRESHOLD`` and ``NUM_PERM``."""
    from datasketch import MinHashLSH   # build-time only

    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    return lsh.b, lsh.r


def band_keys(norm_texts: list[str]) -> np.ndarray:
    """Per passage, one 64-bit key per LSH band of its MinHash, then the hash
    of its text (``text_keys``); all 0 for a passage shorter than ``MIN_CHARS``,
    which takes no part."""
    bands, width = band_shape()
    keys = np.zeros((len(norm_texts), bands + 1), dtype=np.uint64)
    rows = [seq for seq, text in enumerate(norm_texts) if len(text) >= MIN_CHARS]
    if rows:
        values = np.stack([m.hashvalues for m in _minhashes(norm_texts, rows)]).astype(np.uint64)
        for band in range(bands):
            key = np.zeros(len(rows), dtype=np.uint64)
            for column in values[:, band * width:(band + 1) * width].T:   # a polynomial hash of the band
                key = key * np.uint64(0x100000001B3) + column + np.uint64(1)
            keys[rows, band] = key
    keys[:, bands] = text_keys(norm_texts)
    return keys


def text_keys(norm_texts: list[str]) -> np.ndarray:
    """Each normalized text's 64-bit hash (BLAKE2b), never 0; 0 for a text
    shorter than ``MIN_CHARS``.  Equal hashes are taken as equal texts: two
    different texts share one with odds of about n²/2⁶⁵ (a million texts: 3·10⁻⁸)."""
    out = np.zeros(len(norm_texts), dtype=np.uint64)
    for seq, text in enumerate(norm_texts):
        if len(text) >= MIN_CHARS:
            out[seq] = int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little") or 1
    return out


BAND_COUNT = 5    # band_shape()[0], without importing datasketch where the index is read (a test checks)


def split_keys(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """(band keys, text hashes) of a ``BANDS`` array; the hashes are None for
    a segment written before they were kept (its rows are then told apart by
    their normalized text, ``text_keys``, by the caller)."""
    if keys.shape[1] == BAND_COUNT + 1:
        return keys[:, :BAND_COUNT], keys[:, BAND_COUNT]
    return keys, None


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
    """Write the pairs of texts (hashes, a < b) as ``FILE`` in a generation's
    folder; returns their number."""
    both_a, both_b = np.concatenate([a, b]), np.concatenate([b, a])
    order = np.lexsort((both_b, both_a))
    np.savez(folder / FILE, key_a=both_a[order], key_b=both_b[order],
             similarity=np.concatenate([similarity] * 2)[order])
    return len(a)


def load_pairs(folder: Path, read=None) -> dict[str, np.ndarray] | None:
    """The arrays of a generation's ``FILE`` (``key_a``/``key_b``, or ``a``/``b``
    in the format before texts), or None when it has none; ``read(name)``
    gives the file's bytes checked (else it is read as it is)."""
    path = Path(folder) / FILE
    if not path.exists():
        return None
    with np.load(io.BytesIO(read(FILE)) if read else path) as data:
        return {name: data[name] for name in data.files}


class NearDuplicates:
    """A generation's near-identical passages, for lookups by passage row:
    the text pairs of ``FILE`` seen through each row's text hash and report."""

    def __init__(self, folder: Path, keys=None, report_of: np.ndarray | None = None, read=None):
        """``keys``: a callable giving every row's text hash (read only when
        the file holds text pairs); ``report_of``: every row's report;
        ``read(name)``: the file's bytes checked against the build's table
        (``Generation``)."""
        data = load_pairs(folder, read) or {"a": np.zeros(0, np.int64), "b": np.zeros(0, np.int64),
                                            "similarity": np.zeros(0, np.float32)}
        self.similarity = data["similarity"]
        self.by_passage = "a" in data          # passage pairs, as written before texts were kept
        if self.by_passage:
            self.a, self.b = data["a"], data["b"]
            return
        self._texts = _TextRows(keys(), report_of)
        self.key_a, self.key_b = data["key_a"], data["key_b"]

    def of(self, seq: int) -> list[tuple[int, float]]:
        """(row, similarity) of the passages near-identical to row ``seq`` in
        other reports, most similar first (ties in row order)."""
        if self.by_passage:
            start, end = np.searchsorted(self.a, [seq, seq + 1])
            return sorted(zip(self.b[start:end].tolist(), self.similarity[start:end].tolist()), key=lambda p: -p[1])
        texts = self._texts
        key = texts.keys[seq]
        if key == 0:
            return []
        start, end = np.searchsorted(self.key_a, key, "left"), np.searchsorted(self.key_a, key, "right")
        found = [(row, 1.0) for row in texts.rows_of(key).tolist()]
        for other, similarity in zip(self.key_b[start:end].tolist(), self.similarity[start:end].tolist()):
            found += [(row, similarity) for row in texts.rows_of(np.uint64(other)).tolist()]
        own = texts.report_of[seq]
        return sorted(((row, s) for row, s in found if texts.report_of[row] != own), key=lambda p: (-p[1], p[0]))

    def rows(self) -> np.ndarray:
        """Every passage row that has a near-identical passage in another report."""
        if self.by_passage:
            return np.unique(self.a)
        return self._texts.rows_with_other_reports(self.key_a, self.key_b)

    def row_pairs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every (a, b, similarity), a < b, of near-identical passages of two
        reports: what the file stands for, spelled out (it grows with the
        square of the copies; for tests and small indexes)."""
        a, b, s = [], [], []
        for seq in self.rows().tolist():
            for other, similarity in self.of(seq):
                if seq < other:
                    a.append(seq), b.append(other), s.append(similarity)
        return np.array(a, np.int64), np.array(b, np.int64), np.array(s, np.float32)


class _TextRows:
    """Rows grouped by text hash: the rows of a text, and the texts whose rows
    (with those of their paired texts) span more than one report."""

    def __init__(self, keys: np.ndarray, report_of: np.ndarray):
        self.keys, self.report_of = keys, report_of
        held = np.flatnonzero(keys != 0)
        self.order = held[np.argsort(keys[held], kind="stable")]
        self.sorted_keys = keys[self.order]

    def rows_of(self, key) -> np.ndarray:
        """The rows holding the text ``key``, in row order."""
        start, end = np.searchsorted(self.sorted_keys, key, "left"), np.searchsorted(self.sorted_keys, key, "right")
        return self.order[start:end]

    def rows_with_other_reports(self, key_a: np.ndarray, key_b: np.ndarray) -> np.ndarray:
        """Rows whose text, with the texts paired with it, is held by two reports or more."""
        if not len(self.order):
            return np.zeros(0, np.int64)
        distinct, starts = np.unique(self.sorted_keys, return_index=True)
        reports = self.report_of[self.order]
        low, high = np.minimum.reduceat(reports, starts), np.maximum.reduceat(reports, starts)
        near_low, near_high = low.copy(), high.copy()
        a, b = np.searchsorted(distinct, key_a), np.searchsorted(distinct, key_b)
        known = (a < len(distinct)) & (b < len(distinct))
        a, b = a[known], b[known]
        known = (distinct[a] == key_a[known]) & (distinct[b] == key_b[known])
        np.minimum.at(near_low, a[known], low[b[known]])
        np.maximum.at(near_high, a[known], high[b[known]])
        spread = np.repeat(near_low < near_high, np.diff(np.append(starts, len(self.order))))
        return np.sort(self.order[spread])
