"""Related passages: Whoosh's more-like-this, its BM25F sum done in numpy.

The key terms of a passage come from Whoosh as before (``key_terms_from_text``:
its Bo1 model over the passage's jieba words).  Scoring their OR through
Whoosh's matcher tree ran in Python for every matching document and every term
it holds, twice per page for ties: 79% of a passage page at 100k passages.
Here each key term's live postings are read once per generation into numpy
arrays with their BM25F score, computed with the very numbers Whoosh's scorer
uses (its weighting's B and K1; idf and average length from the live reader,
so deleted documents do not count, ``words.LiveReader``), and kept (LRU by
bytes): a page is then a weighted sum of a dozen arrays.  The best passages
come out with their ties ordered by passage number.
"""
from __future__ import annotations

import threading
import weakref

import numpy as np
from cachetools import LRUCache

from ..store.reader.generation import Generation
from .words import FIELD

KEY_TERMS = 12
# Passages tied at the edge of the best ``limit`` whose passage numbers are read
# (a stored-field lookup each) to order them; past it, ties fall by Whoosh's
# document order (the passages' order in a fresh build).  A paragraph copied
# into hundreds of reports ties hundreds of passages.
MAX_TIED = 400


class WordScores:
    """A generation's words, each as (Whoosh document numbers, BM25F score of the
    word in each), made on first use; least recently used out past ``CACHE_BYTES``.
    The server's threads share it (a lock around the cache, not the reads)."""

    CACHE_BYTES = 16 << 20

    def __init__(self):
        self.lengths: DocLengths | None = None
        self._cache = LRUCache(maxsize=self.CACHE_BYTES, getsizeof=lambda pair: pair[0].nbytes * 2 + 200)
        self._lock = threading.Lock()

    def of(self, searcher, word: str) -> tuple[np.ndarray, np.ndarray]:
        """The word's live documents (sorted) and its score in each (read-only)."""
        with self._lock:
            found = self._cache.get(word)
        if found is None:
            if self.lengths is None:
                self.lengths = DocLengths(searcher.reader())
            found = word_scores(searcher, word, self.lengths)
            for array in found:
                array.flags.writeable = False
            if found[0].nbytes * 2 <= self.CACHE_BYTES // 8:    # a word in most passages must not empty it
                with self._lock:
                    self._cache[word] = found
        return found


_scores: "weakref.WeakKeyDictionary[Generation, WordScores]" = weakref.WeakKeyDictionary()
_scores_lock = threading.Lock()


def scores_of(gen: Generation) -> WordScores:
    """The generation's word scores (one table, shared by its threads)."""
    with _scores_lock:
        return _scores.setdefault(gen, WordScores())


def word_scores(searcher, word: str, lengths: "DocLengths") -> tuple[np.ndarray, np.ndarray]:
    """Whoosh's BM25F score of ``word`` in every live document holding it: the
    scorer Whoosh would make (``searcher.weighting.scorer``) gives idf, average
    length, B and K1; the postings give each document's frequency, and its field
    length is the one Whoosh scores with (one byte's approximation)."""
    key = searcher.schema[FIELD].to_bytes(word)
    if (FIELD, key) not in searcher.reader():        # no live document holds it
        return np.zeros(0, np.int64), np.zeros(0)
    scorer = searcher.weighting.scorer(searcher, FIELD, key)
    docs, tfs = _postings(searcher, key)
    B, K1 = scorer.B, scorer.K1
    # Whoosh's scoring.bm25, the same operations in the same order (float64 throughout).
    scores = scorer.idf * ((tfs * (K1 + 1)) / (tfs + K1 * ((1 - B) + B * lengths.of(docs) / scorer.avgfl)))
    return docs, scores


def _postings(searcher, key: bytes) -> tuple[np.ndarray, np.ndarray]:
    """(document numbers, frequencies) of the term's live postings, segment by
    segment of the Whoosh index, a block of postings at a time."""
    docs, tfs = [np.zeros(0, np.int64)], [np.zeros(0)]
    for leaf, offset in searcher.reader().leaf_readers():
        if (FIELD, key) not in leaf:
            continue
        ids, weights = _leaf_postings(leaf.postings(FIELD, key))
        if leaf.has_deletions():
            live = ~np.isin(ids, np.fromiter(leaf.deleted_docs_set, np.int64))
            ids, weights = ids[live], weights[live]
        docs.append(ids + offset)
        tfs.append(weights)
    return np.concatenate(docs), np.concatenate(tfs)


def _leaf_postings(matcher) -> tuple[np.ndarray, np.ndarray]:
    """A segment's postings of one term, all of them (deleted ones included).
    Whoosh 2.7's own block reader (``W3LeafMatcher``) gives a block's ids and
    weights as arrays; any other matcher is read one posting at a time."""
    from whoosh.codec.whoosh3 import W3LeafMatcher

    matcher = getattr(matcher, "child", matcher)      # the FilterMatcher around a segment with deletions
    ids, weights = [], []
    if isinstance(matcher, W3LeafMatcher):
        while matcher.is_active():
            matcher._read_ids()
            matcher._read_weights()
            ids.append(np.array(matcher._ids, np.int64))
            weights.append(np.array(matcher._weights, np.float64))
            matcher._next_block()
    else:
        while matcher.is_active():
            ids.append(np.array([matcher.id()], np.int64))
            weights.append(np.array([matcher.weight()], np.float64))
            matcher.next()
    if not ids:
        return np.zeros(0, np.int64), np.zeros(0)
    return np.concatenate(ids), np.concatenate(weights)


class DocLengths:
    """Every Whoosh document's ``content`` length as Whoosh scores it
    (``doc_field_length``: a byte per document, ``byte_to_length`` of it), read
    at once per segment: asked one document at a time, it was a file read each
    (most of a page's time)."""

    def __init__(self, reader):
        from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
        from whoosh.util.numeric import byte_to_length

        table = np.array([byte_to_length(b) for b in range(256)], np.float64)
        parts = []
        for leaf, _offset in reader.leaf_readers():
            count = leaf.doc_count_all()
            column = leaf._perdoc._cached_reader(_lenfield(FIELD), LENGTHS_COLUMN)
            raw = np.zeros(count, np.uint8)
            if column is not None:
                stored = np.frombuffer(column._dbfile.get(column._basepos, column._count), np.uint8)
                raw[:len(stored)] = stored[:count]
            parts.append(table[raw])
        self.lengths = np.concatenate(parts) if parts else np.zeros(0)

    def of(self, docs: np.ndarray) -> np.ndarray:
        """The lengths of ``docs`` (global document numbers)."""
        return self.lengths[docs]


def related_documents(gen: Generation, searcher, text: str, masked: set[int], limit: int,
                      row_of) -> list[tuple[float, int]]:
    """The ``limit`` best (score, passage number) pairs for the OR of ``text``'s
    key terms, each boosted by its weight (Whoosh's more-like-this query), the
    ``masked`` Whoosh documents left out; best first, ties by passage number.
    ``row_of(docnum)``: a document's passage number (None: not a passage)."""
    terms = searcher.key_terms_from_text(FIELD, text, numterms=KEY_TERMS)
    if not terms or limit <= 0:
        return []
    table = scores_of(gen)
    found = [table.of(searcher, word) for word, _weight in terms]
    docs = np.concatenate([d for d, _ in found])
    if not len(docs):
        return []
    weighted = np.concatenate([s * weight for (_, s), (_, weight) in zip(found, terms)])
    # Summed over a dense array of every document (a scatter, linear): the
    # sort np.unique needs was most of a page.
    size = int(docs.max()) + 1
    totals = np.bincount(docs, weights=weighted, minlength=size)
    held = np.zeros(size, dtype=bool)
    held[docs] = True
    held[[doc for doc in masked if doc < size]] = False
    return _best(np.flatnonzero(held), totals, limit, row_of)


def _best(docs: np.ndarray, totals: np.ndarray, limit: int, row_of) -> list[tuple[float, int]]:
    """The best ``limit`` of ``docs`` (sorted) by ``totals[doc]``, every one tied
    at the edge ordered by its passage number (up to ``MAX_TIED`` of them, the
    lowest document numbers)."""
    if not len(docs):
        return []
    scores = totals[docs]
    k = min(limit, len(scores))
    edge = np.partition(scores, len(scores) - k)[len(scores) - k]     # the k-th best score
    above = docs[scores > edge]
    tied = docs[scores == edge][:MAX_TIED]
    scored = [(float(totals[doc]), row) for doc in np.concatenate([above, tied]).tolist()
              if (row := row_of(doc)) is not None]
    scored.sort(key=lambda pair: (-pair[0], pair[1]))
    return scored[:limit]
