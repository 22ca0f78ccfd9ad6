"""Build an index: read the reports, analyze the passages, write a new
generation (Whoosh documents, numpy columns, phrase postings) and swap it in.

The ids come from the reports themselves (``corpus.make_report_id`` plus the
passage ordinal), so a rebuild over the same, changed, added or removed files
keeps the id of every untouched passage.  Files whose bytes and manifest row are
unchanged since the serving generation are not read again.
"""
from __future__ import annotations

import resource
import time
from pathlib import Path

import numpy as np
from tqdm import tqdm
from whoosh import index as whoosh_index

from . import DEFAULT_INDEX
from .analysis import normalize, segmenter
from .corpus import SAMPLES, read_reports
from .model import CATEGORIES, Report
from .postings import build_postings, save_postings
from .schema import SCHEMA_VERSION, passage_schema
from .store import (META, IndexMissing, IndexVersionError, current_generation, new_generation,
                    read_meta, swap_in, write_json)

_REPORT_FIELDS = ("id", "title", "agency", "province", "city", "county", "year", "date",
                  "source", "fmt", "source_url")


def build_index(paths=None, index_dir: Path = DEFAULT_INDEX, procs: int = 2,
                progress: bool = False) -> dict:
    """Build (or bring up to date) the index in ``index_dir`` from ``paths``
    (files or folders; default: the bundled samples).  Returns a summary dict."""
    started = time.perf_counter()
    root = Path(index_dir)
    paths = [Path(p) for p in (paths or [SAMPLES])]
    previous = _previous_sources(root)
    with tqdm(desc="reading", unit="file", disable=not progress, leave=False) as bar:
        result = read_reports(paths, progress=lambda _path: bar.update(), cache=_cache(root, previous))
    generation = new_generation(root)
    counts = write_generation(generation, result.reports, procs=procs, progress=progress)
    write_json(generation / META, _meta(result, counts))   # written last: marks it finished
    swap_in(root, generation)
    return {
        "index": str(root), "generation": generation.name, "reports": len(result.reports),
        "passages": counts["passages"], "characters": counts["characters"],
        "files_reused": sum(1 for key in result.sources.values() if key in previous.values()),
        "timings": counts["timings"], **_problems(result),
        "seconds": round(time.perf_counter() - started, 2),
    }


def write_generation(folder: Path, reports: list[Report], procs: int = 2, progress: bool = False) -> dict:
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
    norm = [normalize(p.text) for _, p in rows]
    (folder / "norm.txt").write_text("\n".join(norm), encoding="utf-8")
    lap("normalize")
    save_postings(build_postings(norm), folder)
    lap("postings")
    vocab = facet_vocab(reports)
    columns = _columns(reports, rows, norm, vocab)
    del norm     # the largest thing held; free it before Whoosh forks its workers
    columns["text_offsets"] = _write_texts(folder / "texts.bin", [p.text for _, p in rows])
    reports_dir = folder / "reports"
    reports_dir.mkdir()
    for report in reports:
        write_json(reports_dir / f"{report.id}.json", _report_structure(report))
    lap("texts")
    _write_whoosh(folder / "whoosh", rows, procs, progress)
    lap("whoosh")
    np.savez(folder / "columns.npz", **columns)
    return {"passages": len(rows), "characters": sum(len(p.text) for _, p in rows),
            "vocab": vocab, "timings": timings}


def _write_whoosh(folder: Path, rows, procs: int, progress: bool) -> None:
    """One Whoosh document per passage; ``seq`` is its row in the columns."""
    folder.mkdir()
    segmenter()               # load jieba before the writer forks its workers
    ix = whoosh_index.create_in(folder, passage_schema())
    many = procs > 1 and len(rows) > 2000
    # limitmb is per worker: each of procs workers pools this much before spilling.
    writer = ix.writer(procs=procs if many else 1, multisegment=many, limitmb=128)
    for seq, (report, passage) in enumerate(tqdm(rows, desc="indexing", unit="passage",
                                                 disable=not progress, leave=False)):
        writer.add_document(
            passage_id=passage.id, report_id=report.id, seq=seq, ordinal=passage.ordinal,
            title=report.title, section=passage.section, content=passage.text,
            agency=report.agency, province=report.province, city=report.city,
            county=report.county, year=report.year or 0, date=report.date or "",
            category=passage.category)
    writer.commit()


def _write_texts(path: Path, texts: list[str]) -> np.ndarray:
    """Display texts as UTF-8 in one file; returns the byte offset of each (and the end)."""
    encoded = [t.encode("utf-8") for t in texts]
    path.write_bytes(b"".join(encoded))
    sizes = np.fromiter((len(e) for e in encoded), dtype=np.int64, count=len(encoded))
    return np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)


def _report_structure(report: Report) -> dict:
    """The report without its text: the passages' text is stored once, in
    ``texts.bin``, and put back by ``Index.get_report``."""
    data = report.to_dict()
    data.pop("text")
    for passage in data["passages"]:
        passage.pop("text")
    return data


def _columns(reports: list[Report], rows, norm: list[str], vocab: dict) -> dict[str, np.ndarray]:
    """Per-passage numpy columns: facet codes, years, sections, lengths."""
    codes = {name: {v: i for i, v in enumerate(values)} for name, values in vocab.items()}
    report_index = {r.id: i for i, r in enumerate(reports)}
    column = lambda values, dtype: np.fromiter(values, dtype=dtype, count=len(rows))  # noqa: E731
    return {
        "report": column((report_index[r.id] for r, _ in rows), np.int32),
        "ordinal": column((p.ordinal for _, p in rows), np.int32),
        "agency": column((codes["agency"].get(r.agency, -1) for r, _ in rows), np.int32),
        "province": column((codes["province"].get(r.province, -1) for r, _ in rows), np.int32),
        "city": column((codes["city"].get(r.city, -1) for r, _ in rows), np.int32),
        "year": column((r.year or 0 for r, _ in rows), np.int32),
        "category": column((CATEGORIES.index(p.category) for _, p in rows), np.int8),
        "section": column((codes["section"][p.section] for _, p in rows), np.int32),
        "length": column((len(n) for n in norm), np.int32),
        "date": column((_date_number(r) for r, _ in rows), np.int32),
    }


def facet_vocab(reports: list[Report]) -> dict[str, list[str]]:
    """Sorted distinct values per facet field (empty values left out)."""
    def distinct(values):
        return sorted({v for v in values if v})
    return {
        "agency": distinct(r.agency for r in reports),
        "province": distinct(r.province for r in reports),
        "city": distinct(r.city for r in reports),
        "section": sorted({p.section for r in reports for p in r.passages}),
    }


def _date_number(report: Report) -> int:
    """yyyymmdd for sorting by date; the report year's end when no date is stated."""
    if report.date:
        return int(report.date.replace("-", ""))
    return (report.year or 0) * 10000 + 1231


def _meta(result, counts: dict) -> dict:
    return {
        "schema_version": SCHEMA_VERSION,
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


def _cache(root: Path, previous: dict[str, str]):
    """Source key → the report the serving generation read from that source."""
    from .search import SearchError, open_index

    if not previous:
        return None
    by_key = {key: rid for rid, key in previous.items()}
    try:
        index = open_index(root)
    except SearchError:
        return None

    def lookup(key: str) -> Report | None:
        if key not in by_key:
            return None
        try:
            return Report.from_dict(index.get_report(by_key[key]))
        except SearchError:
            return None
    return lookup
