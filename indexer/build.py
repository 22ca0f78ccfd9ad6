"""Build an index: read the reports, analyze the passages, write a new
generation (Whoosh documents, numpy columns, phrase postings) and swap it in.

The ids come from the reports themselves (``corpus.make_report_id`` plus the
passage ordinal), so a rebuild over the same, changed, added or removed files
keeps the id of every untouched passage.  Files whose bytes and manifest row are
unchanged since the serving generation are not read again.
"""
from __future__ import annotations

import gzip
import resource
import shutil
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from tqdm import tqdm

from . import DEFAULT_INDEX
from .analysis import normalize
from .model import CATEGORIES, Report
from .read import Limits
from .report.corpus import SAMPLES, read_reports, scan_report_files
from .store.documents import DocumentWriter
from .store.generation import Generation, ReportNotFound
from .store.layout import (
    META,
    NORM_FILE,
    IndexMissing,
    IndexVersionError,
    current_generation,
    new_generation,
    read_meta,
    remove_leftovers,
    swap_in,
    write_json,
)
from .store.postings import PostingsBuilder
from .store.near_duplicates import write_near_duplicates
from .store.schema import SCHEMA_VERSION

_CHUNK = 2_000       # passages normalized and posted at a time: bounds the temporaries
_REPORT_FIELDS = ("id", "title", "agency", "agency_kind", "agency_level", "province", "city", "county", "year",
                  "date", "source", "fmt", "source_url")


def build_index(paths=None, index_dir: Path = DEFAULT_INDEX, procs: int = 2,
                progress: bool = False, words: bool = True, limits: Limits | None = None,
                follow_links: bool = False) -> dict:
    """Build (or bring up to date) the index in ``index_dir`` from ``paths``
    (files or folders; default: the bundled samples).  ``words``: also index
    jieba's words in the Whoosh documents (see ``indexer.store.documents``).
    ``limits``: per file, of size, unpacked size and time (``indexer.read.Limits``);
    ``follow_links``: read symbolic links that lead out of the folders named.
    Returns a summary dict."""
    started = time.perf_counter()
    root = Path(index_dir)
    files, passed_over = scan_report_files([Path(p) for p in (paths or [SAMPLES])], follow_links)
    previous = _previous_sources(root)
    remove_leftovers(root)              # of builds that died: links, generations
    generation = new_generation(root)
    documents = None
    try:
        # Started before reading: its worker processes are forked while this one is small.
        documents = DocumentWriter(generation / "whoosh", procs if _large(files) else 1, words)
        with tqdm(desc="reading", unit="file", disable=not progress, leave=False) as bar, \
                _cache(root, previous) as cache:
            result = read_reports(files, progress=lambda _path: bar.update(), cache=cache,
                                  procs=procs, limits=limits)
        result.skipped[:0] = passed_over
        counts = write_generation(generation, result.reports, documents, progress=progress)
        write_json(generation / META, _meta(result, counts, words))   # written last: marks it finished
    except BaseException:
        # The previous generation keeps serving; nothing of this one stays behind.
        if documents is not None:
            documents.abort()
        shutil.rmtree(generation, ignore_errors=True)
        raise
    swap_in(root, generation)
    return {
        "index": str(root), "generation": generation.name, "reports": len(result.reports),
        "passages": counts["passages"], "characters": counts["characters"],
        "files_reused": _reused(result.sources, previous),
        "words": words, "timings": counts["timings"], **_problems(result),
        "seconds": round(time.perf_counter() - started, 2),
    }


def write_generation(folder: Path, reports: list[Report], documents: DocumentWriter,
                     progress: bool = False) -> dict:
    """Everything of an index except ``meta.json``; returns counts and the
    seconds each step took (the build's profile, reported in the summary)."""
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] = round(now - clock, 3)
        timings[f"{name}_peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        clock = now

    rows = [(r, p) for r in reports for p in r.passages]
    documents.add(rows, progress)       # written meanwhile, by other processes
    lengths = normalize_and_post(folder, [p.text for _, p in rows])
    lap("postings")
    vocab = facet_vocab(reports)
    columns = _columns(reports, rows, lengths, vocab)
    columns["text_offsets"] = _write_texts(folder / "texts.bin", [p.text for _, p in rows])
    reports_dir = folder / "reports"
    reports_dir.mkdir()
    for report in reports:
        write_json(reports_dir / f"{report.id}.json", _report_structure(report))
    lap("texts")
    _write_whoosh(documents)
    lap("whoosh")
    # Near-identical passages across reports (research tools): one separate step.
    write_near_duplicates(folder, columns["report"])
    lap("near_duplicates")
    np.savez(folder / "columns.npz", **columns)
    return {"passages": len(rows), "characters": sum(len(p.text) for _, p in rows),
            "vocab": vocab, "timings": timings}


def normalize_and_post(folder: Path, texts: list[str]) -> np.ndarray:
    """Normalize the passage texts chunk by chunk into ``norm.txt.gz`` (one a
    line) and the postings; only one chunk's normalized text is held at a time.
    Returns the normalized length of each passage."""
    builder = PostingsBuilder(folder)
    lengths = np.zeros(len(texts), dtype=np.int32)
    with gzip.open(folder / NORM_FILE, "wt", encoding="utf-8", compresslevel=1) as out:
        for start in range(0, len(texts), _CHUNK):
            norm = [normalize(t) for t in texts[start:start + _CHUNK]]
            out.write(("\n" if start else "") + "\n".join(norm))
            lengths[start:start + len(norm)] = [len(n) for n in norm]
            builder.add(norm)
    builder.save()
    return lengths


def _write_whoosh(documents: DocumentWriter) -> None:
    """The Whoosh documents, written beside the rest: wait for them."""
    documents.finish()


def _reused(sources: dict[str, str], previous: dict[str, str]) -> int:
    """Files whose source key the serving generation had read already."""
    known = set(previous.values())     # a set: ``in dict.values()`` scans, once per file
    return sum(1 for key in sources.values() if key in known)


def _large(files: list[Path]) -> bool:
    """Worth Whoosh's worker processes: more than about 3,000 passages of text."""
    return sum(f.stat().st_size for f in files if f.is_file()) > 2_000_000


def _write_texts(path: Path, texts: list[str]) -> np.ndarray:
    """Display texts as UTF-8 in one file; returns the byte offset of each (and the end)."""
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    with open(path, "wb") as out:
        for n, text in enumerate(texts, 1):
            offsets[n] = offsets[n - 1] + out.write(text.encode("utf-8"))
    return offsets


def _report_structure(report: Report) -> dict:
    """The report without its text: the passages' text is stored once, in
    ``texts.bin``, and put back by ``Index.get_report``."""
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
        "agency": column((codes["agency"].get(r.agency, -1) for r, _ in rows), np.int32),
        "agency_kind": column((codes["agency_kind"].get(r.agency_kind, -1) for r, _ in rows), np.int32),
        "agency_level": column((codes["agency_level"].get(r.agency_level, -1) for r, _ in rows), np.int32),
        "province": column((codes["province"].get(r.province, -1) for r, _ in rows), np.int32),
        "city": column((codes["city"].get(r.city, -1) for r, _ in rows), np.int32),
        "year": column((r.year or 0 for r, _ in rows), np.int32),
        "category": column((CATEGORIES.index(p.category) for _, p in rows), np.int8),
        "heading": column((p.heading for _, p in rows), np.int8),   # ranks bare headings last
        "section": column((codes["section"][p.section] for _, p in rows), np.int32),
        "length": lengths,
        "date": column((_date_number(r) for r, _ in rows), np.int32),
    }


def facet_vocab(reports: list[Report]) -> dict[str, list[str]]:
    """Sorted distinct values per facet field (empty values left out)."""
    def distinct(values):
        return sorted({v for v in values if v})
    return {
        "agency": distinct(r.agency for r in reports),
        "agency_kind": distinct(r.agency_kind for r in reports),
        "agency_level": distinct(r.agency_level for r in reports),
        "province": distinct(r.province for r in reports),
        "city": distinct(r.city for r in reports),
        "section": sorted({p.section for r in reports for p in r.passages}),
    }


def _date_number(report: Report) -> int:
    """yyyymmdd for sorting by date; the report year's end when no date is stated."""
    if report.date:
        return int(report.date.replace("-", ""))
    return (report.year or 0) * 10000 + 1231


def _meta(result, counts: dict, words: bool) -> dict:
    return {
        "schema_version": SCHEMA_VERSION,
        "words": words,
        "built": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "counts": {"reports": len(result.reports), "passages": counts["passages"],
                   "characters": counts["characters"], "timings": counts["timings"]},
        "reports": [{k: getattr(r, k) for k in _REPORT_FIELDS} for r in result.reports],
        "vocab": {**counts["vocab"], "category": list(CATEGORIES)},
        "sources": result.sources,
        "source_reports": result.report_sources,
        **_problems(result),
    }


def _problems(result) -> dict:
    return {"skipped": [{"path": s.path, "reason": s.reason} for s in result.skipped],
            "duplicates": [{"kept": d.kept, "dropped": d.dropped} for d in result.duplicates]}


def _previous_sources(root: Path) -> dict[str, str]:
    """Report id → source key of the serving generation (empty when there is none)."""
    try:
        return read_meta(current_generation(root)).get("source_reports", {})
    except (IndexMissing, IndexVersionError, OSError, ValueError):
        return {}


@contextmanager
def _cache(root: Path, previous: dict[str, str]):
    """Source key → the report the serving generation read from that source;
    the generation is closed again when the reading is done."""
    if not previous:
        yield None
        return
    by_key = {key: rid for rid, key in previous.items()}
    try:
        generation = Generation(current_generation(root))
    except (IndexMissing, OSError, ValueError):
        yield None
        return

    def lookup(key: str) -> Report | None:
        if key not in by_key:
            return None
        try:
            return Report.from_dict(generation.read_report(by_key[key]))
        except (ReportNotFound, OSError, ValueError):
            return None
    try:
        yield lookup
    finally:
        generation.close()
