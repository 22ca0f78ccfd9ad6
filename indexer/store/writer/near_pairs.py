"""Finding near-identical texts at build time: the pairs of distinct texts,
sharing an LSH band key, whose character shingles have a Jaccard similarity of
at least ``THRESHOLD`` (the file and its reader: ``store.format.near_duplicates``).

Work and output grow with the distinct texts, not with the copies: identical
passages are one text (their 64-bit hash), so a paragraph copied into every
report of a province is looked at once.  A pair is kept only when its two
texts are held by two reports or more between them (a report's own repeats
are not copies); texts held by one report each are told apart by that report,
and their pairs are not even made.
"""
from __future__ import annotations

import numpy as np

from ..format.near_duplicates import THRESHOLD, jaccard, shingles

_NO_PAIRS = (np.zeros(0, np.uint64), np.zeros(0, np.uint64), np.zeros(0, np.float32))


def text_pairs(bands: np.ndarray, keys: np.ndarray, report_of: np.ndarray, norm_of,
               touched: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(hash a, hash b, similarity), a < b, of every near-identical pair of
    distinct texts held by two reports or more, at least one of them in
    ``touched`` (a sorted array of hashes; None: every text).  ``bands`` and
    ``keys``: each row's band keys and text hash (0: takes no part);
    ``norm_of[row]``: the row's normalized text."""
    held = np.flatnonzero(keys != 0)
    if not len(held):
        return _NO_PAIRS
    distinct, first, inverse = np.unique(keys[held], return_index=True, return_inverse=True)
    reports = report_of[held].astype(np.int64)
    low = np.full(len(distinct), np.iinfo(np.int64).max)
    high = np.full(len(distinct), -1, dtype=np.int64)
    np.minimum.at(low, inverse, reports)
    np.maximum.at(high, inverse, reports)
    # Texts of one report each are in that report's class; a text of several reports is a class of its own.
    klass = np.where(low == high, low, -1 - np.arange(len(distinct)))
    fresh = np.ones(len(distinct), bool) if touched is None else np.isin(distinct, touched)
    reps = held[first]
    i, j = _candidates(bands[reps], fresh, klass)
    grams: dict[int, np.ndarray] = {}

    def of(n: int) -> np.ndarray:
        if n not in grams:
            grams[n] = shingles(norm_of[int(reps[n])])
        return grams[n]
    similarity = np.array([jaccard(of(x), of(y)) for x, y in zip(i.tolist(), j.tolist())], dtype=np.float32)
    keep = similarity >= THRESHOLD
    a, b = distinct[i[keep]], distinct[j[keep]]
    return np.minimum(a, b), np.maximum(a, b), similarity[keep]


def _candidates(bands: np.ndarray, fresh: np.ndarray, klass: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct (i, j), i < j, of texts sharing a band key, of two classes, at
    least one ``fresh``.  Only pairs across classes are made: a report's 10,000
    look-alike lines in one band are skipped before their pairs exist."""
    found = [np.zeros((2, 0), dtype=np.int64)]
    for band in range(bands.shape[1] if len(bands) else 0):
        order = np.argsort(bands[:, band], kind="stable")
        values = bands[order, band]
        starts = np.flatnonzero(np.concatenate([[True], values[1:] != values[:-1]]))
        sizes = np.diff(np.append(starts, len(order)))
        with_fresh = np.add.reduceat(fresh[order].astype(np.int64), starts) > 0
        for start, size in zip(starts[(sizes > 1) & with_fresh].tolist(), sizes[(sizes > 1) & with_fresh].tolist()):
            found.append(_across_classes(order[start:start + size], fresh, klass))
    pairs = np.concatenate(found, axis=1)
    low, high = np.minimum(pairs[0], pairs[1]), np.maximum(pairs[0], pairs[1])
    unique = np.unique(np.stack([low, high]), axis=1)
    return unique[0], unique[1]


def _across_classes(members: np.ndarray, fresh: np.ndarray, klass: np.ndarray) -> np.ndarray:
    """The (2, n) pairs of a band's group whose two texts are of different
    classes, at least one fresh."""
    members = members[np.argsort(klass[members], kind="stable")]
    classes = klass[members]
    if classes[0] == classes[-1]:
        return np.zeros((2, 0), dtype=np.int64)
    ends = np.flatnonzero(classes[1:] != classes[:-1]) + 1      # where each class but the last ends
    out = []
    for start, end in zip([0, *ends[:-1].tolist()], ends.tolist()):
        block, after = members[start:end], members[end:]
        # Fresh ones of the block with all after it, the others only with fresh ones after it.
        out.append(_cross(block[fresh[block]], after))
        out.append(_cross(block[~fresh[block]], after[fresh[after]]))
    return np.concatenate(out, axis=1)


def _cross(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Every (l, r) of two arrays, as a (2, n) array."""
    return np.stack([np.repeat(left, len(right)), np.tile(right, len(left))])
