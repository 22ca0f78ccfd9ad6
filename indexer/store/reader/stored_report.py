"""Reports reused from the serving generation, their text left in the index.

An update reuses every report whose file did not change.  What the build needs
of such a report is its table row, id, passage count, character count and
heading paths; its text, passages and headings only in rare cases (a duplicate
check that collides with it, a new id for it, a segment merge).  Reading them
all back would put the whole archive's text in memory (873 MB of text, 6.9 GB
of Python objects for 27,000 reports) to write none of it, so a
:class:`StoredReport` is made from its table row alone and reads the rest from
the index on first use (``Generation.read_report``).  Its counts come from the
generation's columns and ``meta.json`` (``report_characters``), not its text.
"""
from __future__ import annotations

import numpy as np

from ...model import Report
from .generation import Generation, ReportNotFound
from ..format.segment import REPORT_FIELDS


class ReusedReports:
    """The serving generation's reports by source key, as :class:`StoredReport`.

    The generation must stay open while the reports may still be loaded (the
    build closes it when the update is written)."""

    def __init__(self, generation: Generation):
        self.generation = generation
        self._by_key = {key: rid for rid, key in generation.meta.get("source_reports", {}).items()}
        self._sizes = np.diff(generation.report_bounds)
        self._characters: dict[str, int] = generation.meta.get("report_characters", {})   # none before it was kept
        self._heading_path_codes: tuple[np.ndarray, np.ndarray] | None = None

    def lookup(self, key: str) -> Report | None:
        """The report read from source ``key`` before, or None (not in the index,
        or its stored structure is gone: then the file is read again)."""
        report_id = self._by_key.get(key)
        if report_id is None or not self.generation.has_report(report_id):
            return None
        number = self.generation.report_index[report_id]
        return StoredReport(self, number, self.generation.reports[number])

    def passage_count(self, number: int) -> int:
        """The passages of report number ``number``, from the columns."""
        return int(self._sizes[number])

    def character_count(self, report_id: str) -> int | None:
        """The characters of a report's passages, from ``meta.json`` (None if not recorded)."""
        return self._characters.get(report_id)

    def heading_paths(self, number: int) -> set[str]:
        """The heading paths of report number ``number``'s passages, from the columns."""
        if self._heading_path_codes is None:
            self._heading_path_codes = self._report_heading_path_codes()
        starts, codes = self._heading_path_codes
        names = self.generation.vocab["section"]
        return {names[c - 1] for c in codes[starts[number]:starts[number + 1]].tolist() if c > 0}

    def _report_heading_path_codes(self) -> tuple[np.ndarray, np.ndarray]:
        """Every report's distinct heading path codes (``section`` column) plus one (0: none), once for all
        reports: sorted (report, code) pairs and where each report's pairs start."""
        columns = self.generation.columns
        width = len(self.generation.vocab["section"]) + 1
        pairs = np.unique(columns["report"].astype(np.int64) * width + columns["section"].astype(np.int64) + 1)
        owners, codes = np.divmod(pairs, width)
        starts = np.searchsorted(owners, np.arange(len(self.generation.reports) + 1))
        return starts, codes


class _FromIndex:
    """A report field read from the index on first access (all such fields at once)."""

    def __set_name__(self, owner, name: str) -> None:
        self.name = name

    def __get__(self, report, owner=None):
        if report is None:
            return self
        if self.name not in report.__dict__:
            report.load()
        return report.__dict__[self.name]

    def __set__(self, report, value) -> None:
        report.__dict__[self.name] = value


class StoredReport(Report):
    """A reused report: its table row at hand, the rest read when asked for."""

    text = _FromIndex()
    sources = _FromIndex()
    headings = _FromIndex()
    passages = _FromIndex()
    checksum = _FromIndex()

    def __init__(self, reports: ReusedReports, number: int, row: dict):     # not the dataclass's: no text yet
        for name in REPORT_FIELDS:
            setattr(self, name, row[name])
        self._reports, self._number, self._stored_id = reports, number, row["id"]

    @property
    def loaded(self) -> bool:
        """True once the passages and headings were read from the index."""
        return "passages" in self.__dict__

    def load(self) -> None:
        """Read the text, passages and headings back (under the id the index
        knows; passages and anchors follow an id given since)."""
        try:
            full = Report.from_dict(self._reports.generation.read_report(self._stored_id))
        except (ReportNotFound, OSError, ValueError) as exc:
            raise RuntimeError(f"cannot read report {self._stored_id} back from the index: {exc}") from exc
        if self.id != self._stored_id:
            full.rename(self.id)
        for name in ("text", "sources", "headings", "passages", "checksum"):
            self.__dict__.setdefault(name, getattr(full, name))

    def rename(self, new_id: str) -> None:
        """Give the report another id (its passages take it when loaded)."""
        if self.loaded:
            super().rename(new_id)
        else:
            self.id = new_id        # the passages take it when loaded

    def passage_count(self) -> int:
        """The report's passages, without reading them when not loaded."""
        return super().passage_count() if self.loaded else self._reports.passage_count(self._number)

    def character_count(self) -> int:
        """The characters of its passages, without reading them when recorded."""
        known = None if self.loaded else self._reports.character_count(self._stored_id)
        return super().character_count() if known is None else known

    def heading_paths(self) -> set[str]:
        """Its passages' heading paths, without reading them when not loaded."""
        return super().heading_paths() if self.loaded else self._reports.heading_paths(self._number)
