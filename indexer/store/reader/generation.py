"""A generation on disk, opened for reading: the serving index.

A generation is a list of segments (``segment.py``), each with the reports it
has lost marked deleted, plus the report table in ``meta.json`` in the order a
full rebuild of the same files would give.  :class:`Generation` presents them
as one index: global columns, postings, normalized and display texts whose
passage numbers (``seq``) follow that order, deleted passages left out.  So
search, facets, ranking statistics and paging answer exactly as on a full
rebuild, and ties fall the same way, whichever segment a report lives in.

Both sides read through this: the search side for answering queries, the build
for the reports of the previous generation it can reuse.  The costly parts
(postings, normalized texts, title and heading path lookups) load on first use, so a
build that only wants reports does not pay for them.
"""
from __future__ import annotations

import bisect
import functools
import itertools
import os
import queue
import threading
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np

from ...analysis import normalize
from ...errors import FazhiError
from ..format import checksums
from ..directory.layout import hold, read_meta, segments_folder
from ..format.json_file import parse_json
from ..format.near_duplicates import NearDuplicates, split_keys, text_keys
from ..format.postings import Postings
from ..format.segment import FACET_FIELDS, Segment, SegmentSize
from .normalized import NormalizedRows
from .segment_order import GlobalOrder as _GlobalOrder, SegmentPostings, SegmentTexts


# A segment this small keeps its postings inflated in memory (about 1.6 MB per
# 1,000 passages): a lookup in it would otherwise inflate a 4,096-posting block
# for a list of a few postings, once per segment, and ten small segments made
# searching twice as slow as one segment.
PRELOAD_ROWS = 5_000
# Past this many passages a server does not hold the normalized texts (about
# 530 bytes a passage as Python strings: 700 MB at a province's 1.3 M): each is
# made from its display text when a query reads it (``normalized.py``).
NORM_IN_MEMORY = 400_000
# Normalized texts freed at a time when a generation closes (``_free_in_slices``).
FREE_SLICE = 2_000


def _said_as_damage(load):
    """``load`` (a lazy part of a generation) failing on a damaged file raises
    ``IndexDamaged`` naming the file, not the parser's error (``_raise_if_damaged``)."""
    @functools.wraps(load)
    def checked(self, *args):
        try:
            return load(self, *args)
        except FazhiError:
            raise
        except Exception as exc:
            _raise_if_damaged(self.path, exc)
            raise
    return checked


def _raise_if_damaged(path: Path, error: Exception) -> None:
    """A generation whose files fail to load (a flipped byte in a header, a zip's
    or gzip's CRC) is read byte by byte against its checksums: damage is then said
    as damage (``IndexDamaged``, with the hint to rebuild), not as the parser's
    error; a generation that checks clean lets ``error`` go on as it was."""
    try:
        checksums.verify(path, read_meta(path), segments_folder(path.parent), deep=True)
    except FazhiError as found:
        raise found from error


class ReportNotFound(KeyError):
    """No report with that id in the generation."""


class Generation:
    """One built index, loaded: columns, postings, normalized and display texts.

    The query path reads only these numpy arrays and memory-mapped files; the
    Whoosh documents are opened on demand (``whoosh()``) for tools that want
    them, so serving does not pay for Whoosh's stored-field column in memory."""

    def __init__(self, path: Path, meta: dict | None = None):
        self.path = path
        self._hold = hold(path)      # no build removes it (nor its segments) while it is open here
        try:
            self._open(meta)
        except BaseException as exc:
            self.close()
            if meta is None and isinstance(exc, Exception) and not isinstance(exc, FazhiError):
                _raise_if_damaged(path, exc)
            raise

    def _open(self, meta: dict | None) -> None:
        path = self.path
        self.texts = None
        self.meta = meta if meta is not None else read_meta(path)    # given: a build's, before writing it
        if meta is None:
            checksums.verify(path, self.meta, segments_folder(path.parent))     # sizes: one stat a file
        self.vocab = self.meta["vocab"]
        self.reports = self.meta["reports"]
        self.report_ids = [r["id"] for r in self.reports]
        self.report_index = {rid: i for i, rid in enumerate(self.report_ids)}
        folder = segments_folder(path.parent)
        self.segments = [Segment(folder / s["name"]) for s in self.meta["segments"]]
        deleted = [set(s["deleted"]) for s in self.meta["segments"]]
        self._layout = _GlobalOrder(self.segments, deleted, self.report_index)
        self.first_seq = self._layout.first_seq
        self.columns = self._layout.columns(self.vocab)
        self.texts = SegmentTexts(self.segments, self._layout)
        for segment in self.segments:       # gathered: only the text offsets are read again
            segment.columns = {"text_offsets": segment.columns["text_offsets"]}
        self.average_length = float(self.columns["length"].mean()) if self.columns["length"].size else 1.0

    @property
    def report_segments(self) -> np.ndarray:
        """Per report of the table: the number of the segment holding it."""
        return self._layout.report_segment

    def segment_sizes(self) -> list[SegmentSize]:
        """Each segment's live and written passages (what a merge policy weighs)."""
        return [SegmentSize(s.name, int((seq >= 0).sum()), len(seq))
                for s, seq in zip(self.segments, self._layout.seq_maps)]

    def bands(self) -> np.ndarray:
        """Every passage's LSH band keys and text hash (``near_duplicates.BANDS``),
        in global order; a segment written before text hashes were kept gets
        them from its normalized texts."""
        if not self.segments:
            return np.zeros((0, 1), dtype=np.uint64)
        return self._layout.gather_array([_with_text_keys(s) for s in self.segments], np.uint64)

    def text_keys(self) -> np.ndarray:
        """Every passage's text hash (0: too short to take part), in global order."""
        if not self.segments:
            return np.zeros(0, dtype=np.uint64)
        return self._layout.gather_array([_with_text_keys(s)[:, -1] for s in self.segments], np.uint64)

    def segment_rows(self, name: str) -> np.ndarray:
        """The global passage numbers of a segment's live rows."""
        seq = self._layout.seq_maps[[s.name for s in self.segments].index(name)]
        return seq[seq >= 0]

    @cached_property
    @_said_as_damage
    def postings(self) -> "SegmentPostings":
        """The phrase postings of every segment, in global passage order."""
        return SegmentPostings([Postings(s.path, preload=s.size <= PRELOAD_ROWS) for s in self.segments],
                               self._layout.seq_maps)

    @cached_property
    @_said_as_damage
    def norm(self) -> list[str]:
        """The normalized passage texts, one per passage (phrase verification)."""
        return self._layout.gather([s.norm() for s in self.segments])

    @cached_property
    def norm_array(self) -> np.ndarray:
        """``norm`` as an object array (the same strings): candidates are gathered
        by one fancy index, not a Python call each."""
        array = np.empty(len(self.norm), dtype=object)
        array[:] = self.norm
        return array

    @cached_property
    @_said_as_damage
    def near_duplicates(self) -> NearDuplicates:
        """The near-identical pairs found at build time (none for an older index)."""
        return NearDuplicates(self.path, self.text_keys, self.columns["report"],
                              lambda name: checksums.generation_checked(self.path, self.meta, name))

    @cached_property
    def copied(self) -> np.ndarray:
        """Per passage: 1 when it has a near-identical passage in another report, else 0
        (int8, a filter and facet column, made once per generation from the pairs)."""
        flags = np.zeros(len(self.columns["report"]), dtype=np.int8)
        flags[self.near_duplicates.rows()] = 1
        return flags

    @cached_property
    def copied_per_report(self) -> np.ndarray:
        """Per report: how many of its passages have a near-identical passage in another report."""
        return np.bincount(self.columns["report"], weights=self.copied,
                           minlength=len(self.reports)).astype(np.int64)

    @cached_property
    @_said_as_damage
    def filter_columns(self) -> dict[str, np.ndarray]:
        """The columns filters and facets read: the stored ones plus ``copied``."""
        return {**self.columns, "copied": self.copied}

    def derived(self, key: str, make):
        """An array the search derives from this generation's columns, made once
        (``make()``) and kept as long as the generation serves."""
        cache = self.__dict__.setdefault("_derived", {})
        if key not in cache:
            cache[key] = make()
        return cache[key]

    @cached_property
    def report_bounds(self) -> np.ndarray:
        """Where each report's passages start, plus the end: report ``r`` holds
        the passages ``bounds[r]:bounds[r + 1]`` (the global order keeps them together)."""
        return np.append(self.first_seq, len(self.columns["report"])).astype(np.int64)

    @cached_property
    @_said_as_damage
    def report_columns(self) -> dict[str, np.ndarray]:
        """Per report: the codes of the columns that hold the report's own
        metadata (facet fields and year), read at its first passage (a report
        without passages gets -1)."""
        first, size = self.first_seq, len(self.columns["report"])
        empty = np.diff(self.report_bounds) == 0
        at = np.minimum(first, max(size - 1, 0))
        result = {}
        for name in (*FACET_FIELDS, "year"):
            column = self.columns[name]
            codes = column[at].astype(np.int64) if size else np.zeros(len(first), dtype=np.int64)
            codes[empty] = -1
            result[name] = codes
        return result

    @cached_property
    @_said_as_damage
    def titles(self) -> "Lookup":
        """The reports' normalized titles, to find those containing a term."""
        return Lookup([normalize(r["title"]) for r in self.reports])

    @cached_property
    @_said_as_damage
    def heading_paths(self) -> "Lookup":
        """The normalized heading paths (the ``section`` vocabulary), to find those containing a term."""
        return Lookup([normalize(s) for s in self.vocab["section"]])

    @cached_property
    @_said_as_damage
    def date_keys(self) -> tuple[np.ndarray, np.ndarray]:
        """Per report: (states a date, the date as yyyymmdd or 0).  The build's
        date column puts an undated report on 31 December; sorting must not."""
        dates = np.array([int((r.get("date") or "0").replace("-", "") or 0) for r in self.reports],
                         dtype=np.int64)
        return dates > 0, dates

    def normalize_on_demand(self, read_all: bool = True) -> "Generation":
        """Make ``norm`` (and ``norm_array``) normalize a passage's display text
        when it is asked for, instead of inflating every segment's normalized
        texts (half a second at 100k passages): for a process that answers one
        query and exits, whose phrase checks and snippets read a few passages.
        ``read_all``: read them all at once when many are asked for (not for an
        archive too large to hold them)."""
        rows = NormalizedRows(self.texts, len(self.columns["report"]), self._every_norm if read_all else None)
        self.__dict__["norm"] = self.__dict__["norm_array"] = rows
        return self

    @_said_as_damage
    def _every_norm(self) -> list[str]:
        """Every segment's normalized texts, in global order (a damaged
        ``norm.txt.gz``, its gzip CRC failing: ``IndexDamaged``)."""
        return self._layout.gather([s.norm() for s in self.segments])

    def verify(self) -> int:
        """Read every file of the generation against its build's checksums
        (``IndexDamaged`` if one differs); the number of files checked."""
        return checksums.verify(self.path, self.meta, segments_folder(self.path.parent), deep=True)

    @_said_as_damage
    def load(self) -> "Generation":
        """Load the lazy parts now (a server does it before its first answer);
        past ``NORM_IN_MEMORY`` passages the normalized texts stay on demand."""
        if len(self.columns["report"]) > NORM_IN_MEMORY:
            self.normalize_on_demand(read_all=False)
        else:
            _start_freer()      # the texts it loads are freed a slice at a time when it closes
        self.postings, self.norm, self.norm_array, self.titles, self.heading_paths, self.filter_columns, self.report_columns  # noqa: B018
        return self

    def has_report(self, report_id: str) -> bool:
        """Whether ``read_report`` finds the report (its table row and its stored structure)."""
        return report_id in self.report_index and self._report_path(report_id).exists()

    def _report_path(self, report_id: str) -> Path:
        number = self.report_index[report_id]
        return self.segments[self._layout.report_segment[number]].path / "reports" / f"{report_id}.json"

    @_said_as_damage
    def read_report(self, report_id: str) -> dict:
        """A report's structure with every passage's text filled in."""
        if not self.has_report(report_id):
            raise ReportNotFound(report_id)
        report = _read_json(self._report_path(report_id))
        first = int(self.first_seq[self.report_index[report_id]])
        for passage, text in zip(report["passages"], self.texts.span(first, len(report["passages"]))):
            passage["text"] = text
        report["text"] = "\n\n".join(p["text"] for p in report["passages"])
        return report

    def title_contains(self, terms: list[str]) -> np.ndarray:
        """Per report: 1.0 when its title contains one of ``terms``."""
        return self.titles.contains(terms)

    def passage_id(self, seq: int) -> str:
        """The stable id of passage ``seq``: its report's id and its ordinal (``<report>-0007``)."""
        return f"{self.report_ids[self.columns['report'][seq]]}-{self.columns['ordinal'][seq]:04d}"

    def whoosh(self):
        """The Whoosh index of this generation (one document per passage); its
        files are read whole against their checksums the first time (Whoosh
        reads them without any check)."""
        # Imported here, not for serving: Whoosh costs a server 11 MB.
        from whoosh import index as whoosh_index

        with _whoosh_check:
            if not self.__dict__.get("_whoosh_checked"):
                checksums.check_generation_files(self.path, self.meta, "whoosh/")
                self._whoosh_checked = True
        return whoosh_index.open_dir(str(self.path / "whoosh"))

    @cached_property
    def checked_as_read(self) -> bool:
        """Whether every byte a search or page reads is checked as it is read
        (``checksums``): then a server serves before it has read every byte."""
        return bool(self.meta.get("checksums")) and all(checksums.checked_as_read(s.path) for s in self.segments)

    def __del__(self) -> None:           # a generation dropped unclosed still lets go of its files
        try:
            self.close()
        except Exception:  # noqa: BLE001  (at interpreter exit, os may be gone)
            pass

    def on_close(self, release) -> None:
        """Call ``release()`` when the generation closes (a Whoosh reader opened on it)."""
        self.__dict__.setdefault("_on_close", []).append(release)

    def close(self) -> None:
        """Release the generation's files; it is not used after this."""
        for release in self.__dict__.pop("_on_close", []):
            try:
                release()
            except Exception:  # noqa: BLE001 - closing the rest matters more
                pass
        if getattr(self, "_hold", -1) >= 0:
            os.close(self._hold)
            self._hold = -1
        if getattr(self, "texts", None) is not None:
            self.texts.close()
        if "postings" in self.__dict__:
            self.postings.close()
            del self.__dict__["postings"]
        texts, array = self.__dict__.pop("norm", None), self.__dict__.pop("norm_array", None)
        if isinstance(texts, list) and texts and _freer is not None:
            _TO_FREE.put((texts, array))        # SimpleQueue: safe from __del__, never waits


# A closed generation's normalized texts, freed by one thread (``_free_in_slices``);
# started by the first ``load`` (a server's), never from ``close``, which ``__del__``
# calls: a thread started inside the collector can deadlock on threading's own locks.
_TO_FREE: queue.SimpleQueue = queue.SimpleQueue()
_freer: threading.Thread | None = None
_freer_started = threading.Lock()


def _start_freer() -> None:
    global _freer
    with _freer_started:
        if _freer is None:
            _freer = threading.Thread(target=_free_what_closes, name="fazhi-free-texts", daemon=True)
            _freer.start()


def _free_what_closes() -> None:
    while True:
        texts, array = _TO_FREE.get()
        _free_in_slices(texts, array)
        del texts, array


def _free_in_slices(texts: list[str], array) -> None:
    """Let go of a closed generation's normalized texts ``FREE_SLICE`` at a
    time.  Dropped at once, the list (and the object array of the same strings)
    freed every string in one call that held the GIL throughout: at 100k
    passages a stall of every request under way, in whichever thread let go
    last (a request, or a swap's background load), at every swap (issue 24).
    In a thread of its own, so that the request that let go last is not the
    one to wait; between slices the other threads run."""
    if isinstance(array, np.ndarray):
        for start in range(0, len(array), FREE_SLICE):
            array[start:start + FREE_SLICE] = None      # the list still holds them: nothing freed yet
    del array
    while texts:
        del texts[-FREE_SLICE:]


class Lookup:
    """Which of many short strings contain a term, without a Python loop over
    them: one joined string, ``str.find`` for each occurrence, then a binary
    search from the occurrence to the string it falls in.

    A term's answer is kept (``TERM_CACHE`` terms, least recently used out): a
    word in every report title costs a ``find`` per title, and the same words
    come back query after query.  ``lru_cache`` is safe to share between the
    server's threads (at worst two threads both compute a new term once)."""

    TERM_CACHE = 1024

    def __init__(self, strings: list[str]):
        self.count = len(strings)
        self.joined = "\x00".join(strings)
        self.starts = list(itertools.accumulate((len(s) + 1 for s in strings), initial=0))
        # Per instance, so that it goes with its generation.
        self._holding = lru_cache(maxsize=self.TERM_CACHE)(self._holding_term)

    def contains(self, terms: list[str]) -> np.ndarray:
        """Per string: 1.0 when it contains one of ``terms``, else 0.0 (a fresh array)."""
        hit = np.zeros(self.count, dtype=np.float64)
        for term in terms:
            hit[self._holding(term)] = 1.0
        return hit

    def holding(self, term: str) -> np.ndarray:
        """The numbers of the strings containing ``term`` (read-only, remembered per term)."""
        return self._holding(term)

    def _holding_term(self, term: str) -> np.ndarray:
        """The numbers of the strings containing ``term`` (read-only: it is shared)."""
        found = []
        find, starts = self.joined.find, self.starts
        at = find(term)
        while at >= 0:
            index = bisect.bisect_right(starts, at) - 1
            found.append(index)
            at = find(term, starts[index + 1])   # one hit per string is enough
        numbers = np.array(found, dtype=np.int32)
        numbers.flags.writeable = False
        return numbers


_whoosh_check = threading.Lock()       # Whoosh's files checked once per generation, by one thread


@lru_cache(maxsize=64)
def _read_cached(path: str, mtime: float) -> bytes:
    # Checked against the segment's table as it is read: the report page shows its figures.
    return checksums.read_checked(Path(path).parent.parent, f"reports/{Path(path).name}")


def _read_json(path: Path) -> dict:
    """A fresh dict each call (callers fill it in), parsed from cached bytes."""
    return parse_json(_read_cached(str(path), path.stat().st_mtime))


def _with_text_keys(segment) -> np.ndarray:
    """A segment's ``BANDS`` array with the text hash as its last column (made
    from the normalized texts for a segment written before it was kept; an
    index without near-identical passages has one column of zeros)."""
    keys = segment.bands()
    if keys.shape[1] == 1:
        return keys
    bands, hashes = split_keys(keys)
    return keys if hashes is not None else np.column_stack([bands, text_keys(segment.norm())])
