"""A generation on disk, opened for reading: columns, postings, texts, reports.

Both sides read through this: the search side for answering queries, the build
for the reports of the previous generation it can reuse.  The costly parts
(postings, normalized texts, title and section lookups) load on first use, so a
build that only wants reports does not pay for them.
"""
from __future__ import annotations

import bisect
import gzip
import itertools
import json
import os
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np

from ..analysis import normalize
from .layout import NORM_FILE, hold, read_meta
from .near_duplicates import NearDuplicates
from .postings import Postings


class ReportNotFound(KeyError):
    """No report with that id in the generation."""


class Generation:
    """One built index, loaded: columns, postings, normalized and display texts.

    The query path reads only these numpy arrays and memory-mapped files; the
    Whoosh documents are opened on demand (``whoosh()``) for tools that want
    them, so serving does not pay for Whoosh's stored-field column in memory."""

    def __init__(self, path: Path):
        self.path = path
        self._hold = hold(path)      # no build removes it while it is open here
        try:
            self._open()
        except BaseException:
            self.close()
            raise

    def _open(self) -> None:
        path = self.path
        self.texts = None
        self.meta = read_meta(path)
        self.vocab = self.meta["vocab"]
        self.reports = self.meta["reports"]
        with np.load(path / "columns.npz") as data:
            self.columns = {name: data[name] for name in data.files}
        self.texts = TextStore(path, self.columns["text_offsets"])
        self.average_length = float(self.columns["length"].mean()) if self.columns["length"].size else 1.0
        self.report_ids = [r["id"] for r in self.reports]
        self.report_index = {rid: i for i, rid in enumerate(self.report_ids)}
        # Passages of a report are consecutive rows, in order: its first row.
        counts = np.bincount(self.columns["report"], minlength=len(self.reports))
        self.first_seq = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)

    @cached_property
    def postings(self) -> Postings:
        return Postings(self.path)

    @cached_property
    def norm(self) -> list[str]:
        """The normalized passage texts, one per passage (phrase verification)."""
        text = gzip.decompress((self.path / NORM_FILE).read_bytes()).decode("utf-8")
        return text.split("\n") if text or self.columns["report"].size else []

    @cached_property
    def near_duplicates(self) -> NearDuplicates:
        """The near-identical pairs found at build time (none for an older index)."""
        return NearDuplicates(self.path)

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
    def filter_columns(self) -> dict[str, np.ndarray]:
        """The columns filters and facets read: the stored ones plus ``copied``."""
        return {**self.columns, "copied": self.copied}

    @cached_property
    def titles(self) -> "Lookup":
        return Lookup([normalize(r["title"]) for r in self.reports])

    @cached_property
    def sections(self) -> "Lookup":
        return Lookup([normalize(s) for s in self.vocab["section"]])

    @cached_property
    def date_keys(self) -> tuple[np.ndarray, np.ndarray]:
        """Per report: (states a date, the date as yyyymmdd or 0).  The build's
        date column puts an undated report on 31 December; sorting must not."""
        dates = np.array([int((r.get("date") or "0").replace("-", "") or 0) for r in self.reports],
                         dtype=np.int64)
        return dates > 0, dates

    def load(self) -> "Generation":
        """Load the lazy parts now (a server does it before its first answer)."""
        self.postings, self.norm, self.titles, self.sections, self.filter_columns  # noqa: B018
        return self

    def read_report(self, report_id: str) -> dict:
        """A report's structure with every passage's text filled in."""
        path = self.path / "reports" / f"{report_id}.json"
        if report_id not in self.report_index or not path.exists():
            raise ReportNotFound(report_id)
        report = _read_json(path)
        first = int(self.first_seq[self.report_index[report_id]])
        for passage, text in zip(report["passages"], self.texts.span(first, len(report["passages"]))):
            passage["text"] = text
        report["text"] = "\n\n".join(p["text"] for p in report["passages"])
        return report

    def title_contains(self, terms: list[str]) -> np.ndarray:
        """Per report: 1.0 when its title contains one of ``terms``."""
        return self.titles.contains(terms)

    def section_contains(self, terms: list[str], sections: np.ndarray) -> np.ndarray:
        """Per passage of ``sections`` (section codes): 1.0 when its heading path contains a term."""
        return self.sections.contains(terms)[sections]

    def passage_id(self, seq: int) -> str:
        return f"{self.report_ids[self.columns['report'][seq]]}-{self.columns['ordinal'][seq]:04d}"

    def whoosh(self):
        """The Whoosh index of this generation (one document per passage)."""
        # Imported here, not for serving: Whoosh costs a server 11 MB.
        from whoosh import index as whoosh_index

        return whoosh_index.open_dir(str(self.path / "whoosh"))

    def __del__(self) -> None:           # a generation dropped unclosed still lets go of its files
        try:
            self.close()
        except Exception:  # noqa: BLE001  (at interpreter exit, os may be gone)
            pass

    def close(self) -> None:
        """Release the generation's files; it is not used after this."""
        if getattr(self, "_hold", -1) >= 0:
            os.close(self._hold)
            self._hold = -1
        if getattr(self, "texts", None) is not None:
            self.texts.close()
        if "postings" in self.__dict__:
            self.postings.close()
            del self.__dict__["postings"]


class Lookup:
    """Which of many short strings contain a term, without a Python loop over
    them: one joined string, ``str.find`` for each occurrence, then a binary
    search from the occurrence to the string it falls in."""

    def __init__(self, strings: list[str]):
        self.count = len(strings)
        self.joined = "\x00".join(strings)
        self.starts = list(itertools.accumulate((len(s) + 1 for s in strings), initial=0))

    def contains(self, terms: list[str]) -> np.ndarray:
        hit = np.zeros(self.count, dtype=np.float64)
        find, starts = self.joined.find, self.starts
        for term in terms:
            at = find(term)
            while at >= 0:
                index = bisect.bisect_right(starts, at) - 1
                hit[index] = 1.0
                at = find(term, starts[index + 1])   # one hit per string is enough
        return hit


class TextStore:
    """The passages' display text: UTF-8 in one file, with the byte offsets in
    the columns.  Only the texts of shown hits are read, with ``os.pread``: a
    memory map would leave every page it touched in the server's resident
    memory (and with large page-cache folios, a whole 2 MB block per hit), so
    after a few hundred queries most of the file would count as the server's."""

    def __init__(self, path: Path, offsets: np.ndarray):
        self._fd = os.open(path / "texts.bin", os.O_RDONLY)
        self._offsets = offsets

    def __getitem__(self, seq: int) -> str:
        return self.span(seq, 1)[0]

    def span(self, first: int, count: int) -> list[str]:
        """The texts of passages ``first`` … ``first + count - 1``, in one read."""
        bounds = self._offsets[first:first + count + 1].tolist()
        if not count:
            return []
        data = self.read(bounds[0], bounds[-1])
        base = bounds[0]
        return [data[a - base:b - base].decode("utf-8") for a, b in itertools.pairwise(bounds)]

    def read(self, start: int, end: int) -> bytes:
        data = os.pread(self._fd, end - start, start)
        while len(data) < end - start:          # pread may return less than asked
            more = os.pread(self._fd, end - start - len(data), start + len(data))
            if not more:
                raise OSError(f"texts.bin ends before byte {end}")
            data += more
        return data

    def close(self) -> None:
        if getattr(self, "_fd", -1) >= 0:
            os.close(self._fd)
            self._fd = -1

    __del__ = close      # a generation replaced by refresh() is closed when dropped



@lru_cache(maxsize=64)
def _read_cached(path: str, mtime: float) -> str:
    return Path(path).read_text(encoding="utf-8")


def _read_json(path: Path) -> dict:
    """A fresh dict each call (callers fill it in), parsed from cached text."""
    return json.loads(_read_cached(str(path), path.stat().st_mtime))
