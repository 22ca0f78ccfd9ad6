"""Segments seen as one index: each segment row's place in the global order.

The global order is the generation's report table (the order a full rebuild of
the same files gives), each report's passages in turn; a deleted report's rows
have no place (-1).  Columns, postings, normalized and display texts of the
segments are presented in that order, so nothing above the store can tell a
generation of ten segments from a freshly built one.
"""
from __future__ import annotations

import threading

import numpy as np
from cachetools import LRUCache

from ..format.postings import Postings
from ..format.segment import FACET_FIELDS, Segment, TextStore


class GlobalOrder:
    """Where every live row of every segment goes (``seq_maps``), and back
    (``segment_of``, ``row_of``); ``first_seq`` per report of the table."""

    def __init__(self, segments: list[Segment], deleted: list[set[str]], report_index: dict[str, int]):
        self.segments = segments
        counts = np.zeros(len(report_index), dtype=np.int64)
        self.report_segment = np.full(len(report_index), -1, dtype=np.int32)
        placed = []          # per segment: global report number of each local report (-1: deleted)
        for number, (segment, gone) in enumerate(zip(segments, deleted)):
            numbers = np.array([-1 if r["id"] in gone else _place(report_index, r["id"])
                                for r in segment.reports], dtype=np.int64)
            live = numbers >= 0
            if (self.report_segment[numbers[live]] >= 0).any():
                raise ValueError(f"a report is live in two segments (one is {segment.name})")
            self.report_segment[numbers[live]] = number
            counts[numbers[live]] = np.bincount(segment.columns["report"], minlength=len(numbers))[live]
            placed.append(numbers)
        if (self.report_segment < 0).any():
            raise ValueError("a report of the table is in no segment")
        self.first_seq = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
        self.size = int(counts.sum())
        self.seq_maps = [self._seq_map(s, numbers) for s, numbers in zip(segments, placed)]
        # One segment in the table's order, nothing deleted (a full build's):
        # its columns are the global ones as they are, not copied row by row.
        self._one_in_order = len(segments) == 1 and self.size == len(self.seq_maps[0]) and _identity(self.seq_maps[0])
        self._placed = placed
        self.segment_of = np.zeros(self.size, dtype=np.int32)
        self.row_of = np.zeros(self.size, dtype=np.int64)
        for number, seq in enumerate(self.seq_maps):
            live = np.flatnonzero(seq >= 0)
            self.segment_of[seq[live]] = number
            self.row_of[seq[live]] = live

    def _seq_map(self, segment: Segment, numbers: np.ndarray) -> np.ndarray:
        """Global passage number of each row of ``segment`` (-1: deleted)."""
        rows = segment.columns["report"].astype(np.int64)
        if len(numbers) and numbers[0] == 0 and (np.diff(numbers) == 1).all():
            # The table's first reports, in its order, none deleted: each row is
            # its own number (1.3 M rows at a province's archive, a fifth of a second).
            return np.arange(len(rows), dtype=np.int64)
        local_first = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=len(numbers)))[:-1]])
        owner = numbers[rows] if len(rows) else rows
        seq = np.full(len(rows), -1, dtype=np.int64)
        live = owner >= 0
        seq[live] = self.first_seq[owner[live]] + np.arange(len(rows))[live] - local_first[rows[live]]
        return seq

    def columns(self, vocab: dict[str, list[str]]) -> dict[str, np.ndarray]:
        """The segments' columns in global order, facet codes in ``vocab``'s numbering."""
        names = [n for n in self.segments[0].columns if n != "text_offsets"] if self.segments else []
        result = {}
        for name in names:
            parts = [self._recode(name, s, vocab, numbers) for s, numbers in zip(self.segments, self._placed)]
            result[name] = self.gather_array(parts, parts[0].dtype)
        return result or _empty_columns()

    def _recode(self, name: str, segment: Segment, vocab: dict, numbers: np.ndarray) -> np.ndarray:
        values = segment.columns[name]
        if name == "report":
            return numbers[values] if len(values) else values.astype(np.int64)
        if name in (*FACET_FIELDS, "section"):
            codes = {v: i for i, v in enumerate(vocab[name])}
            table = np.array([codes.get(v, -1) for v in segment.vocab[name]] + [-1], dtype=values.dtype)
            return table[values]          # -1 (no value) takes the table's last entry, -1
        return values

    def gather_array(self, parts: list[np.ndarray], dtype) -> np.ndarray:
        """One array in global order from each segment's, deleted rows left out."""
        if self._one_in_order and parts[0].dtype == dtype:
            return parts[0]
        out = np.empty((self.size, *parts[0].shape[1:]), dtype=dtype)
        for values, seq in zip(parts, self.seq_maps):
            live = seq >= 0
            out[seq[live]] = values[live]
        return out

    def gather(self, parts: list[list]) -> list:
        """A list per segment (one item a row) → one list in global order."""
        if len(parts) == 1 and _identity(self.seq_maps[0]):
            return parts[0]
        out = np.empty(self.size, dtype=object)
        for values, seq in zip(parts, self.seq_maps):
            live = seq >= 0
            column = np.empty(len(values), dtype=object)
            column[:] = values
            out[seq[live]] = column[live]
        return out.tolist()


def _place(report_index: dict[str, int], report_id: str) -> int:
    try:
        return report_index[report_id]
    except KeyError:
        raise ValueError(f"report {report_id} is live in a segment but not in the table") from None


def _identity(seq: np.ndarray) -> bool:
    return bool(len(seq) == 0 or (seq[0] == 0 and (np.diff(seq) == 1).all()))


def _empty_columns() -> dict[str, np.ndarray]:
    return {name: np.zeros(0, dtype=np.int32)
            for name in ("report", "ordinal", *FACET_FIELDS, "year", "category", "section", "length", "date")}


class SegmentPostings:
    """The postings of every segment as one: a term's list in each, mapped to
    global passage numbers, deleted rows dropped, merged in order."""

    CACHE_BYTES = 32 << 20      # a common word's lookup at 100k passages: ~0.4 MB

    def __init__(self, parts: list[Postings], seq_maps: list[np.ndarray]):
        self.parts = parts
        self.seq_maps = [None if _identity(seq) else seq for seq in seq_maps]
        # Most segments lose no report in an update: no deleted row to drop from their lists.
        self.has_deleted = [bool((seq < 0).any()) for seq in seq_maps]
        # Lookups are kept, least recently used out first, up to CACHE_BYTES (as
        # Lucene's and Elasticsearch's caches keep what queries share): a query's
        # words recur across queries (建设, 发展, 工作 …), and a common word costs
        # decompressing hundreds of kB of lists, mapping them to global numbers
        # and, with segments, merging them.  The server's threads share it, so a
        # lock around it (cachetools' caches are not thread-safe).  Not an
        # lru_cache of a bound method: a reference cycle would keep the files open.
        self._cache: LRUCache | None = LRUCache(maxsize=self.CACHE_BYTES, getsizeof=_nbytes)
        self._cache_lock = threading.Lock()

    def close(self) -> None:
        """Close every segment's postings and forget the cached lists."""
        self._cache = None
        for part in self.parts:
            part.close()

    def lookup(self, term: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(passages that may contain ``term``, its occurrences, known?), as
        :meth:`Postings.lookup`, over every segment, in global passage numbers
        (read-only arrays: the cache shares them between queries)."""
        cache = self._cache
        if cache is None:                   # closed
            return self._lookup(term)
        with self._cache_lock:
            found = cache.get(term)
        if found is None:
            found = self._lookup(term)
            for array in found:
                array.flags.writeable = False
            if _nbytes(found) <= self.CACHE_BYTES // 8:     # one huge list must not empty the cache
                with self._cache_lock:
                    cache[term] = found
        return found

    def _lookup(self, term: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        docs, tfs, known = [], [], []
        for part, seq, deleted in zip(self.parts, self.seq_maps, self.has_deleted):
            found, counts, sure = part.lookup(term)
            if seq is None:
                found = found.astype(np.int64)
            else:
                found = seq[found]
                if deleted:
                    live = found >= 0
                    found, counts, sure = found[live], counts[live], sure[live]
            docs.append(found)
            tfs.append(counts)
            known.append(sure)
        if not docs:
            return np.zeros(0, np.int64), np.zeros(0, np.uint8), np.zeros(0, bool)
        if len(docs) == 1:
            return docs[0], tfs[0], known[0]
        return _merge_sorted(docs, tfs, known)


def _nbytes(found: tuple[np.ndarray, ...]) -> int:
    return sum(array.nbytes for array in found) + 300      # the arrays and their headers


def _merge_sorted(docs: list[np.ndarray], tfs: list[np.ndarray], known: list[np.ndarray]):
    """The parts' postings (each sorted; a passage in one part only) as one
    sorted list: the small parts sorted together, then inserted into the largest
    by binary search - after an update most postings are in one big segment,
    and sorting all of them again cost more than the lookups themselves."""
    big = max(range(len(docs)), key=lambda i: len(docs[i]))
    rest = [i for i in range(len(docs)) if i != big]
    small_docs = np.concatenate([docs[i] for i in rest])
    order = np.argsort(small_docs, kind="stable")
    small_docs = small_docs[order]
    at = np.searchsorted(docs[big], small_docs)
    return (np.insert(docs[big], at, small_docs),
            np.insert(tfs[big], at, np.concatenate([tfs[i] for i in rest])[order]),
            np.insert(known[big], at, np.concatenate([known[i] for i in rest])[order]))


class SegmentTexts:
    """Display texts by global passage number, read from the segment holding each."""

    def __init__(self, segments: list[Segment], order: GlobalOrder):
        self.stores = [TextStore(s.path, s.columns["text_offsets"]) for s in segments]
        self.order = order

    def __getitem__(self, seq: int) -> str:
        return self.span(seq, 1)[0]

    def span(self, first: int, count: int) -> list[str]:
        """Passages ``first`` … ``first + count - 1`` of one report (consecutive
        rows of one segment, in one read)."""
        if not count:
            return []
        store = self.stores[int(self.order.segment_of[first])]
        return store.span(int(self.order.row_of[first]), count)

    @property
    def closed(self) -> bool:
        """True once every segment's text file is closed."""
        return all(store.closed for store in self.stores)

    def close(self) -> None:
        """Close every segment's text file."""
        for store in self.stores:
            store.close()
