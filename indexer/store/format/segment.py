"""One segment: an immutable folder holding some reports' passages, written
once and never changed (as Lucene's segments are); a generation is a list of
segments with the reports each has lost marked deleted (``generation.py``).

::

    index/segments/seg-20261125T093000-1234-5678/
      segment.json       its reports (id and table fields, in its row order), facet vocabulary
      columns.npz        per passage: report (row in segment.json), ordinal, facet codes (this
                         segment's vocabulary), year, category, section, length, date, text offsets
      norm.txt.gz        normalized passage texts, one a line (phrase verification)
      texts.bin          display texts, UTF-8, at the offsets in columns.npz
      texts.crc.npy      each display text's CRC-32, checked when it is read
      postings.*         character unigram/bigram postings over this segment's rows (``postings.py``)
      minhash_bands.npy  each row's LSH band keys and text hash, for near-identical passages (``near_duplicates.py``)
      reports/<id>.json  each report's metadata, headings and passages, without the text

Passages of a report are consecutive rows, in order.  Nothing here knows the
other segments: the generation maps a segment's rows to its global order.
"""
from __future__ import annotations

import codecs
import gzip
import io
import itertools
import os
import resource
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ...analysis import normalize
from ...model import CATEGORIES, Report
from .checksums import check_whole, damaged, read_checked
from .json_file import parse_json, write_json
from .near_duplicates import BANDS, band_keys, band_shape
from .postings import PostingsBuilder

NORM_FILE = "norm.txt.gz"   # normalized passage texts, one a line (gzip: a third of the size)
NORM_READ_CHUNK = 1 << 18   # compressed bytes of it inflated, decoded and split at a time (Segment.norm)


@dataclass(frozen=True)
class SegmentSize:
    """A segment's name and its passages: live ones and all written (for the merge policy)."""
    name: str
    live: int       # passages not deleted
    rows: int       # passages written, deleted ones included


SEGMENT_META = "segment.json"
REPORT_FIELDS = ("id", "title", "agency", "agency_kind", "agency_level", "province", "city", "county", "year",
                 "date", "source", "fmt", "source_url", "doc_type", "coverage")
_CHUNK = 2_000       # passages normalized and posted at a time: bounds the temporaries
FACET_FIELDS = ("agency", "agency_kind", "agency_level", "province", "city", "doc_type")


def write_segment(folder: Path, reports: list[Report], bands: np.ndarray | None = None,
                  near: bool = True) -> dict:
    """Write ``reports`` as a segment in ``folder`` (created); returns counts and
    the seconds each step took.  ``bands``: the rows' LSH band keys when known
    (a merge has them), else computed, unless ``near`` is off (an index without
    near-identical passages: every key 0).  ``segment.json`` is written last:
    it marks the segment complete."""
    folder.mkdir(parents=True)
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] = round(now - clock, 3)
        timings[f"{name}_peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        clock = now

    rows = [(r, p) for r in reports for p in r.passages]
    lengths, computed = normalize_and_post(folder, [p.text for _, p in rows], bands is None and near)
    if bands is None:
        bands = computed if near else np.zeros((len(rows), 1), dtype=np.uint64)
    np.save(folder / BANDS, bands)
    lap("postings")
    vocab = facet_vocab(reports)
    columns = _columns(reports, rows, lengths, vocab)
    columns["text_offsets"] = _write_texts(folder / "texts.bin", [p.text for _, p in rows])
    reports_dir = folder / "reports"
    reports_dir.mkdir()
    for report in reports:
        write_json(reports_dir / f"{report.id}.json", report_structure(report))
    np.savez(folder / "columns.npz", **columns)
    write_json(folder / SEGMENT_META, {"reports": [report_row(r) for r in reports], "vocab": vocab,
                                       "passages": len(rows)})
    lap("texts")
    return {"passages": len(rows), "characters": sum(len(p.text) for _, p in rows), "timings": timings}


def report_row(report: Report) -> dict:
    """A report's line in the report tables (segment's and generation's)."""
    return {k: getattr(report, k) for k in REPORT_FIELDS}


def normalize_and_post(folder: Path, texts: list[str], bands: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Normalize the passage texts chunk by chunk into ``norm.txt.gz`` (one a
    line), the postings and (if ``bands``) the LSH band keys; only one chunk's
    normalized text is held at a time.  Returns the normalized length of each
    passage and the band keys."""
    builder = PostingsBuilder(folder)
    lengths = np.zeros(len(texts), dtype=np.int32)
    keys = [np.zeros((0, band_shape()[0] + 1 if bands else 1), dtype=np.uint64)]
    with gzip.open(folder / NORM_FILE, "wt", encoding="utf-8", compresslevel=1) as out:
        for start in range(0, len(texts), _CHUNK):
            norm = [normalize(t) for t in texts[start:start + _CHUNK]]
            out.write(("\n" if start else "") + "\n".join(norm))
            lengths[start:start + len(norm)] = [len(n) for n in norm]
            builder.add(norm)
            if bands:
                keys.append(band_keys(norm))
    builder.save()
    return lengths, np.concatenate(keys)


TEXT_CRCS = "texts.crc.npy"


def _write_texts(path: Path, texts: list[str]) -> np.ndarray:
    """Display texts as UTF-8 in one file, each one's CRC-32 in ``TEXT_CRCS``;
    returns the byte offset of each (and the end)."""
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    crcs = np.zeros(len(texts), dtype=np.uint32)
    with open(path, "wb") as out:
        for n, text in enumerate(texts, 1):
            data = text.encode("utf-8")
            crcs[n - 1] = zlib.crc32(data)
            offsets[n] = offsets[n - 1] + out.write(data)
    np.save(path.parent / TEXT_CRCS, crcs)
    return offsets


def report_structure(report: Report) -> dict:
    """The report without its text: the passages' text is stored once, in
    ``texts.bin``, and put back by ``Generation.read_report``."""
    data = report.to_dict()
    data.pop("text")
    for passage in data["passages"]:
        passage.pop("text")
    return data


def _columns(reports: list[Report], rows, lengths: np.ndarray, vocab: dict) -> dict[str, np.ndarray]:
    """Per-passage numpy columns: facet codes, years, sections, lengths."""
    codes = {name: {v: i for i, v in enumerate(values)} for name, values in vocab.items()}
    report_index = {r.id: i for i, r in enumerate(reports)}
    column = lambda values, dtype: np.fromiter(values, dtype=dtype, count=len(rows))  # noqa: E731
    return {
        "report": column((report_index[r.id] for r, _ in rows), np.int32),
        "ordinal": column((p.ordinal for _, p in rows), np.int32),
        **{name: column((codes[name].get(getattr(r, name), -1) for r, _ in rows), np.int32)
           for name in FACET_FIELDS},
        "year": column((r.year or 0 for r, _ in rows), np.int32),
        "category": column((CATEGORIES.index(p.category) for _, p in rows), np.int8),
        "heading": column((p.heading for _, p in rows), np.int8),   # ranks bare headings last
        "section": column((codes["section"][p.heading_path] for _, p in rows), np.int32),
        "length": lengths,
        "date": column((_date_number(r) for r, _ in rows), np.int32),
    }


def facet_vocab(reports: list[Report]) -> dict[str, list[str]]:
    """Sorted distinct values per facet field (empty values left out)."""
    def distinct(values):
        return sorted({v for v in values if v})
    return {
        **{name: distinct(getattr(r, name) for r in reports) for name in FACET_FIELDS},
        "section": sorted(set().union(*(r.heading_paths() for r in reports))),
    }


def _date_number(report: Report) -> int:
    """yyyymmdd for sorting by date; the report year's end when no date is stated."""
    if report.date:
        return int(report.date.replace("-", ""))
    return (report.year or 0) * 10000 + 1231


class Segment:
    """A segment opened for reading: its table, vocabulary and local columns;
    its postings, normalized texts and display texts are opened by the
    generation that holds it."""

    def __init__(self, path: Path):
        self.path = Path(path)
        # Checked against the segment's table as it is read: a changed digit
        # still parses, and would be served (a year, a report's row) without a word.
        meta = parse_json(read_checked(self.path, SEGMENT_META))
        self.name = self.path.name
        self.reports: list[dict] = meta["reports"]
        self.vocab: dict[str, list[str]] = meta["vocab"]
        self.size: int = meta["passages"]
        # Read whole, so checked whole: a flipped byte in a column is another year.
        with np.load(io.BytesIO(read_checked(self.path, "columns.npz"))) as data:
            self.columns = {name: data[name] for name in data.files}

    def bands(self) -> np.ndarray:
        """The passages' near-duplicate band keys and text hash (one row per
        passage), checked against the segment's table as read."""
        return np.load(io.BytesIO(read_checked(self.path, BANDS)))

    def norm(self) -> list[str]:
        """Every passage's normalized text, in row order (read from ``NORM_FILE``).

        Inflated, decoded and split a piece at a time (``_inflated``): a server
        loads a new generation in a background thread while it answers, and one
        ``decode`` or ``split`` of the whole text held the GIL all along, a stall
        of every request under way at every swap (issue 24, BENCHMARKS.md).
        Between pieces the other threads run.  The file is checked against the
        segment's table as it is read (``read_checked``: the CRC lets go of the GIL)."""
        lines, pending = [], ""
        decoder = codecs.getincrementaldecoder("utf-8")()
        for block in _inflated(read_checked(self.path, NORM_FILE), NORM_FILE):
            pieces = (pending + decoder.decode(block)).split("\n")
            pending = pieces.pop()      # the line the next block ends
            lines.extend(pieces)
        lines.append(pending + decoder.decode(b"", final=True))
        return [] if lines == [""] and not self.size else lines


def _inflated(packed: bytes, name: str):
    """The bytes of the gzip file ``name`` (read whole: ``packed``), inflated ``NORM_READ_CHUNK``
    compressed bytes at a time (zlib checks each member's CRC and length, as
    ``gzip.decompress`` does; a file cut short raises ``EOFError``).  Not
    ``gzip.open``: its reader's 8 kB steps each give the GIL up and wait to get
    it back, thousands of waits behind busy request threads."""
    inflater, view = zlib.decompressobj(zlib.MAX_WBITS | 16), memoryview(packed)
    for start in range(0, len(view), NORM_READ_CHUNK):
        piece = view[start:start + NORM_READ_CHUNK]
        while piece:
            yield inflater.decompress(piece)
            piece = b""
            if inflater.eof:    # another gzip member may follow (zero padding between, as gzip allows)
                piece = inflater.unused_data.lstrip(b"\0")
                inflater = zlib.decompressobj(zlib.MAX_WBITS | 16) if piece else inflater
    if len(view) and not inflater.eof:
        raise EOFError(f"{name} ends before its end-of-stream marker")


class TextStore:
    """The passages' display text: UTF-8 in one file, with the byte offsets in
    the columns.  Only the texts of shown hits are read, with ``os.pread``: a
    memory map would leave every page it touched in the server's resident
    memory (and with large page-cache folios, a whole 2 MB block per hit), so
    after a few hundred queries most of the file would count as the server's.
    Each text read is checked against its CRC-32 (a flipped byte of a digit
    still decodes, as another digit); a segment written before the checksums
    has none (``TEXT_CRCS``), and its texts are read unchecked."""

    def __init__(self, path: Path, offsets: np.ndarray):
        self.path = path / "texts.bin"
        self._fd = os.open(self.path, os.O_RDONLY)
        self._offsets = offsets
        check_whole(path, [TEXT_CRCS])          # 4 bytes a passage: read whole at open
        self._crcs = np.load(path / TEXT_CRCS, mmap_mode="r") if (path / TEXT_CRCS).exists() else None
        if self._crcs is not None and self._crcs.shape != (len(offsets) - 1,):
            raise damaged(path / TEXT_CRCS, f"{len(self._crcs)} checksums for {len(offsets) - 1} passages")

    def __getitem__(self, seq: int) -> str:
        return self.span(seq, 1)[0]

    def span(self, first: int, count: int) -> list[str]:
        """The texts of passages ``first`` … ``first + count - 1``, in one read."""
        bounds = self._offsets[first:first + count + 1].tolist()
        if not count:
            return []
        data = memoryview(self.read(bounds[0], bounds[-1]))
        base = bounds[0]
        pieces = [data[a - base:b - base] for a, b in itertools.pairwise(bounds)]
        if self._crcs is not None:
            crcs = self._crcs[first:first + count].tolist()
            for row, (piece, crc) in enumerate(zip(pieces, crcs), first):
                if zlib.crc32(piece) != crc:
                    raise damaged(self.path, f"the text of row {row} fails its checksum (changed since the build)")
        try:
            return [str(piece, "utf-8") for piece in pieces]
        except UnicodeDecodeError:
            raise damaged(self.path, "not UTF-8 where a text should be") from None

    def read(self, start: int, end: int) -> bytes:
        """Bytes ``start`` to ``end`` of ``texts.bin`` (``OSError`` when the file is shorter)."""
        data = os.pread(self._fd, end - start, start)
        while len(data) < end - start:          # pread may return less than asked
            more = os.pread(self._fd, end - start - len(data), start + len(data))
            if not more:
                raise OSError(f"texts.bin ends before byte {end}")
            data += more
        return data

    @property
    def closed(self) -> bool:
        """True once closed (or never opened)."""
        return getattr(self, "_fd", -1) < 0

    def close(self) -> None:
        """Close the file and drop the checksums' memory map; closing again does nothing."""
        self._crcs = None
        if getattr(self, "_fd", -1) >= 0:
            os.close(self._fd)
            self._fd = -1

    __del__ = close      # a generation replaced by refresh() is closed when dropped
