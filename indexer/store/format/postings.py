"""Character grams of the normalized passages: the exact-phrase layer of the index.

Lucene's CJK analyzers index overlapping bigrams so that any phrase can be
found whatever the word segmentation; this does the same, stored as numpy
arrays so a lookup is a binary search plus an array slice, not a Python loop
(the lists' storage: ``gram_lists.py``).

Every character of the normalized passage texts gets a dense alphabet id ``a``
(1…A, in order of first appearance).  A unigram's code is ``a``; a bigram's is
``a1 * (A_MAX + 1) + a2``, which is always larger than any unigram's.

**Common grams.**  A phrase of three characters or more used to be answered by
intersecting its bigrams and reading every candidate's text, which at a
province's archive meant reading 255k passages for ``社会主``.  So, as Lucene's
CommonGrams filter indexes word pairs of frequent words, a segment also indexes
the trigrams made of two *common* bigrams (``postings.common.npy``: those in at
least ``COMMON_SHARE`` of the passages of the segment's first chunk), coded
``rank of the first bigram among the common ones * 2**16 + a3``.  A phrase
of three such characters is then one exact list; a longer one is checked
against its chain of trigrams: with ``tf(t0) + Σ (tf(tk) - tf(bk))`` (each
middle bigram ``bk`` shared by two trigrams, counted once) equal to the
smallest ``tf(tk)``, the passage holds the phrase exactly that often, and only
the passages where the counts leave doubt are read.  About 13% more postings.

A term's frequency in a passage is the number of its occurrences, overlapping
ones included (``00`` occurs twice in ``2000``: the grams of every position are
counted), capped at ``TF_MAX``: :func:`counter` is that rule for a term of any
length, so a term verified by substring counts as a posted one does.
"""
from __future__ import annotations

import re
from itertools import repeat
from operator import methodcaller
from pathlib import Path

import numpy as np

from .checksums import check_whole
from .gram_lists import DOC_BITS, TF_MAX, ListReader, ListWriter, pack

_SEP = 0            # alphabet id of the separator between passages
_MAX_LISTS = 6      # posting lists intersected for a long phrase; the rest is verified
MAX_PASSAGES = 1 << DOC_BITS
_ALPHABET_MAX = 65534        # (A_MAX + 1) ** 2 must fit the 32 code bits
_BIGRAM_BASE = _ALPHABET_MAX + 1
COMMON_SHARE = 0.02          # a bigram in 2% of the passages is common
_TRIGRAM_BASE = 1 << 16      # trigram code: rank of its first bigram * base + its third character
_MAX_COMMON = (1 << 32) // _TRIGRAM_BASE - 1

__all__ = ["MAX_PASSAGES", "TF_MAX", "Postings", "PostingsBuilder", "codepoints", "count_in", "counter",
           "intersect_sorted"]


def codepoints(text: str) -> np.ndarray:
    """The text's code points as a uint32 array."""
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
    capped), as float32.  ``map(str.count, …)`` runs without a Python frame per text."""
    if overlaps(term):
        return np.fromiter(map(counter(term), texts), dtype=np.float32, count=len(texts))
    return np.fromiter(map(str.count, texts, repeat(term)), dtype=np.float32, count=len(texts))


class PostingsBuilder:
    """Postings of passages fed in order, chunk by chunk (``add``), so the
    caller need not hold every normalized text at once; ``save`` writes them."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self._ids = np.zeros(0x110000, dtype=np.int32)   # code point → alphabet id
        self.alphabet: list[int] = []                     # alphabet id - 1 → code point
        self.grams = ListWriter(self.folder, "postings")
        self.trigrams = ListWriter(self.folder, "trigrams")
        self.common: np.ndarray | None = None             # sorted codes of the common bigrams
        self.passages = 0

    def add(self, norm_texts: list[str]) -> None:
        """Post the next passages' unigrams and bigrams (normalized texts; ``ValueError`` past ``MAX_PASSAGES``)."""
        if self.passages + len(norm_texts) > MAX_PASSAGES:
            raise ValueError(f"an index holds at most {MAX_PASSAGES} passages")
        cps = codepoints("\x00".join(norm_texts))
        ids = self._alphabet_ids(cps)
        lengths = np.fromiter((len(t) + 1 for t in norm_texts), dtype=np.int64, count=len(norm_texts))
        first = self.passages
        doc = np.repeat(np.arange(first, first + len(norm_texts), dtype=np.uint64), lengths)[:len(cps)]
        uni = ids != _SEP
        pair = uni[:-1] & uni[1:]
        bigrams = ids[:-1] * _BIGRAM_BASE + ids[1:]
        keys = pack(np.concatenate([ids[uni], bigrams[pair]]), np.concatenate([doc[uni], doc[:-1][pair]]))
        self.grams.spill(keys)
        if self.common is None:
            self.common = _common_bigrams(keys, len(norm_texts))
        trigram_keys = self._trigrams(ids, bigrams, doc)
        if len(trigram_keys):
            self.trigrams.spill(trigram_keys)
        self.passages += len(norm_texts)

    def _trigrams(self, ids: np.ndarray, bigrams: np.ndarray, doc: np.ndarray) -> np.ndarray:
        """Packed postings of the trigrams at positions whose two bigrams are common."""
        if not len(self.common) or len(ids) < 3:
            return np.zeros(0, np.uint64)
        rank = np.minimum(np.searchsorted(self.common, bigrams), len(self.common) - 1)
        common = self.common[rank] == bigrams           # a separator's pair is never common
        at = np.flatnonzero(common[:-1] & common[1:])
        return pack(rank[at] * _TRIGRAM_BASE + ids[at + 2], doc[at])

    def _alphabet_ids(self, cps: np.ndarray) -> np.ndarray:
        new = np.unique(cps[self._ids[cps] == 0])
        new = new[new != 0]
        if len(self.alphabet) + len(new) > _ALPHABET_MAX:
            raise ValueError("more than 65,534 distinct characters: too many for packed bigram codes")
        self._ids[new] = np.arange(len(self.alphabet) + 1, len(self.alphabet) + 1 + len(new))
        self.alphabet.extend(int(c) for c in new)
        return self._ids[cps].astype(np.int64)

    def save(self) -> None:
        """Sort each list set and write the postings files (see ``gram_lists``)."""
        self.grams.save()
        self.trigrams.save()
        np.save(self.folder / "postings.alphabet.npy", np.array(self.alphabet, dtype=np.uint32))
        common = self.common if self.common is not None else np.zeros(0, np.int64)
        np.save(self.folder / "postings.common.npy", common.astype(np.int64))


def _common_bigrams(keys: np.ndarray, passages: int) -> np.ndarray:
    """The bigrams (codes, sorted) in at least ``COMMON_SHARE`` of ``passages``,
    judged on the first chunk: any choice is exact, since a lookup asks the
    segment which bigrams it took as common; a good one only makes it faster."""
    codes = (keys >> np.uint64(32)).astype(np.int64)
    codes = codes[codes >= _BIGRAM_BASE]
    values, df = np.unique(codes, return_counts=True)          # keys are one per (code, passage)
    chosen = values[df >= max(2, COMMON_SHARE * passages)]
    if len(chosen) > _MAX_COMMON:
        chosen = np.sort(values[np.argsort(-df, kind="stable")[:_MAX_COMMON]])
    return chosen


_SMALL_FILES = ["postings.alphabet.npy", "postings.common.npy"] + [
    f"{prefix}.{part}" for prefix in ("postings", "trigrams")
    for part in ("codes.npy", "offsets.npy", "docs.blocks.npy", "docs.crc.npy", "tfs.blocks.npy", "tfs.crc.npy")]


class Postings:
    """Read side of one segment's grams: ``lookup`` a term.  Its small files
    (alphabet, codes, offsets, block tables) are checked whole when it opens:
    a flipped byte in the alphabet or a list's offsets reads without error
    and loses a query's hits; the blocks are checked as they are read."""

    def __init__(self, folder: Path, preload: bool = False):
        check_whole(folder, _SMALL_FILES)
        alphabet = np.asarray(np.load(folder / "postings.alphabet.npy", mmap_mode="r"))
        order = np.argsort(alphabet, kind="stable")
        self.alphabet = alphabet[order]                 # sorted, for searchsorted
        self._alphabet_ids = order.astype(np.int64) + 1
        self.grams = ListReader(folder, "postings", preload)
        self.trigrams = ListReader(folder, "trigrams", preload)
        self.common = np.load(folder / "postings.common.npy")

    def close(self) -> None:
        """Close the gram and trigram lists."""
        self.grams.close()
        self.trigrams.close()

    def _ids(self, term: str) -> np.ndarray | None:
        cps = codepoints(term)
        at = np.searchsorted(self.alphabet, cps)
        if (at >= len(self.alphabet)).any() or (self.alphabet[np.minimum(at, len(self.alphabet) - 1)] != cps).any():
            return None                      # a character no passage has
        return self._alphabet_ids[at]

    def lookup(self, term: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(passages that may contain ``term``, its occurrences in each, known?):
        where ``known`` is True the passage holds the term that many times (from
        the postings alone); elsewhere the caller reads the text (tf 0 given)."""
        ids = self._ids(term)
        if ids is None or len(ids) == 0:       # a character no passage has: no passage, exactly
            return _known(np.zeros(0, np.uint32), np.zeros(0, np.uint8))
        if len(ids) == 1:
            return _known(*self.grams.postings(self.grams.span(int(ids[0]))))
        bigrams = ids[:-1] * _BIGRAM_BASE + ids[1:]
        if len(ids) == 2:
            return _known(*self.grams.postings(self.grams.span(int(bigrams[0]))))
        trigrams = self._trigram_codes(ids, bigrams)
        if len(ids) == 3 and trigrams[0] is not None:
            return _known(*self.trigrams.postings(self.trigrams.span(trigrams[0])))
        return self._long(bigrams, trigrams)

    def _trigram_codes(self, ids: np.ndarray, bigrams: np.ndarray) -> list[int | None]:
        """Per trigram of the term: its code when the segment indexed it (both bigrams common)."""
        if not len(self.common):
            return [None] * (len(ids) - 2)
        rank = np.minimum(np.searchsorted(self.common, bigrams), len(self.common) - 1)
        common = (self.common[rank] == bigrams).tolist()
        return [int(rank[k]) * _TRIGRAM_BASE + int(ids[k + 2]) if common[k] and common[k + 1] else None
                for k in range(len(ids) - 2)]

    def _long(self, bigrams: np.ndarray, trigrams: list[int | None]):
        """A term of three characters or more: the passages holding its rarest
        lists, with its count where its trigram chain settles it."""
        lists = [(self.trigrams, self.trigrams.span(c)) for c in dict.fromkeys(trigrams) if c is not None]
        if any(c is None for c in trigrams):      # a full chain of trigrams holds every bigram already
            lists += [(self.grams, self.grams.span(int(c))) for c in dict.fromkeys(bigrams.tolist())]
        lists.sort(key=lambda item: item[1][1] - item[1][0])
        found = lists[0][0].passages(lists[0][1])
        for reader, span in lists[1:_MAX_LISTS]:
            if len(found) == 0:
                break
            found = intersect_sorted(found, reader.passages(span))
        if len(found) == 0 or any(c is None for c in trigrams):
            return found, np.zeros(len(found), np.uint8), np.zeros(len(found), bool)
        return (found, *self._chain_counts(found, bigrams, trigrams))

    def _chain_counts(self, found: np.ndarray, bigrams: np.ndarray, trigrams: list[int]):
        """(count, known) per passage of ``found`` from the trigram chain: at
        least tf(t0) + Σ (tf(tk) - tf(bk)) occurrences (each bk: the positions
        of the bigram two trigrams share), at most min tf(tk); equal bounds
        (and no count at the cap) give the count."""
        first, _ = _aligned(found, *self.trigrams.postings(self.trigrams.span(trigrams[0])))
        low, high, capped = first.astype(np.int64), first.astype(np.int64), first >= TF_MAX
        for k in range(1, len(trigrams)):
            tf, _ = _aligned(found, *self.trigrams.postings(self.trigrams.span(trigrams[k])))
            shared, _ = _aligned(found, *self.grams.postings(self.grams.span(int(bigrams[k]))))
            low += tf.astype(np.int64) - shared
            np.minimum(high, tf, out=high)
            capped |= (tf >= TF_MAX) | (shared >= TF_MAX)
        known = (low == high) & (low > 0) & ~capped
        return np.where(known, low, 0).astype(np.uint8), known


def _known(docs: np.ndarray, tfs: np.ndarray):
    return docs, tfs, np.ones(len(docs), dtype=bool)


def _aligned(found: np.ndarray, docs: np.ndarray, tfs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(tf in the list, in the list?) for each passage of ``found`` (both sorted)."""
    if len(docs) == 0 or len(found) == 0:
        return np.zeros(len(found), np.uint8), np.zeros(len(found), bool)
    span = int(max(docs[-1], found[-1])) + 1
    if _dense(span, len(found)):
        present, counts = np.zeros(span, bool), np.zeros(span, np.uint8)
        present[docs], counts[docs] = True, tfs
        return counts[found], present[found]
    at = np.minimum(np.searchsorted(docs, found), len(docs) - 1)
    present = docs[at] == found
    return np.where(present, tfs[at], 0).astype(np.uint8), present


def intersect_sorted(small: np.ndarray, big: np.ndarray) -> np.ndarray:
    """Intersection of two sorted arrays of unique values: through a dense mask
    of the passages when the lists are not sparse, else in time
    O(len(small) · log len(big)) rather than a full merge."""
    if len(small) > len(big):
        small, big = big, small
    if len(small) == 0:
        return np.asarray(small)
    span = int(max(big[-1], small[-1])) + 1
    if _dense(span, len(small)):
        mask = np.zeros(span, bool)
        mask[big] = True
        return np.asarray(small)[mask[small]]
    at = np.searchsorted(big, small)
    at[at >= len(big)] = len(big) - 1
    return np.asarray(small)[np.asarray(big)[at] == small]


def _dense(span: int, looked_up: int) -> bool:
    """A mask over ``span`` passages costs less than ``looked_up`` binary searches
    (each tens of nanoseconds, a cache miss per step) unless it is sparse."""
    return span <= 64 * looked_up
