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
"""
from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np

from .layout import NORM_FILE

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
    both = len(np.intersect1d(a, b, assume_unique=True))
    return both / (len(a) + len(b) - both) if len(a) + len(b) else 0.0


def find_pairs(norm_texts: list[str], report_of: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(a, b, similarity) for every near-identical pair of passages from two
    different reports, a < b."""
    from datasketch import MinHashLSH   # build-time only

    rows = [seq for seq, text in enumerate(norm_texts) if len(text) >= MIN_CHARS]
    hashes = _minhashes(norm_texts, rows)
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    with lsh.insertion_session() as session:
        for seq, minhash in zip(rows, hashes):
            session.insert(seq, minhash, check_duplication=False)
    pairs = []
    for seq, minhash in zip(rows, hashes):
        others = [o for o in lsh.query(minhash) if o > seq and report_of[o] != report_of[seq]]
        if others:
            mine = shingles(norm_texts[seq])      # recomputed for the few candidates: not kept for all
            for other in others:
                similarity = jaccard(mine, shingles(norm_texts[other]))
                if similarity >= THRESHOLD:
                    pairs.append((seq, other, similarity))
    found = np.array(pairs, dtype=np.float64).reshape(-1, 3)
    return found[:, 0].astype(np.int64), found[:, 1].astype(np.int64), found[:, 2].astype(np.float32)


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


def write_near_duplicates(folder: Path, report_of: np.ndarray) -> int:
    """Find the pairs over the generation's ``norm.txt.gz``, write ``FILE``;
    returns the number of pairs."""
    text = gzip.decompress((folder / NORM_FILE).read_bytes()).decode("utf-8")
    norm = text.split("\n") if len(report_of) else []
    a, b, similarity = find_pairs(norm, report_of)
    both_a, both_b = np.concatenate([a, b]), np.concatenate([b, a])
    order = np.lexsort((both_b, both_a))
    np.savez(folder / FILE, a=both_a[order], b=both_b[order], similarity=np.concatenate([similarity] * 2)[order])
    return len(a)


class NearDuplicates:
    """The pairs of a generation, for lookups by passage row."""

    def __init__(self, folder: Path):
        path = Path(folder) / FILE
        if path.exists():
            with np.load(path) as data:
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
