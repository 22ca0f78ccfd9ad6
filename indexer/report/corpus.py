"""Read a folder of reports: each file read, cleaned, structured and split;
bad files skipped with a reason, the same report in two files kept once.

This is the whole reading half of the pipeline:
read (``read/``) → clean (``clean.py``) → metadata (``metadata.py``) →
structure and passages (``structure.py``, ``passages.py``).
"""
from __future__ import annotations

import csv
import hashlib
import logging
import multiprocessing
import re
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ..analysis.fold import fold, squash
from ..model import Duplicate, Report, Skipped
from ..read import ReadError, read_file
from .clean import clean_paragraphs, markdown_headings
from .metadata import find_metadata, full_agency_name, resolve_region
from .passages import split_passages

log = logging.getLogger(__name__)

MANIFEST = "manifest.csv"
SAMPLES = Path(__file__).resolve().parents[1] / "samples"      # the bundled sample reports
_NOT_REPORTS = re.compile(r"^(readme|license|licence|changelog|manifest)\b", re.IGNORECASE)
# Which copy of a duplicated report to keep: the one closest to the author's text.
_FORMAT_PREFERENCE = {"txt": 0, "docx": 1, "html": 2, "pdf": 3}


@dataclass
class ReadResult:
    reports: list[Report] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)          # file → source key
    report_sources: dict[str, str] = field(default_factory=dict)   # report id → source key


def list_report_files(paths: list[str | Path]) -> list[Path]:
    """The files to read under ``paths`` (files or folders), in a stable order."""
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            files.extend(p for p in sorted(path.rglob("*")) if p.is_file() and _is_candidate(p))
        else:
            files.append(path)
    return files


def _is_candidate(path: Path) -> bool:
    return not path.name.startswith(".") and not _NOT_REPORTS.match(path.name)


def read_reports(paths: list[str | Path], progress=None, cache=None, procs: int = 1) -> ReadResult:
    """Read every report under ``paths``.  ``progress`` (optional) is called
    once per file, for a progress bar.  ``cache`` (optional) maps a source key
    to the report read from it before: an unchanged file is not read again.
    ``procs`` > 1 reads the files in that many processes (same result)."""
    result = ReadResult()
    keys: dict[int, str] = {}
    plan = _plan(paths, cache, result)
    for (path, _row, key, _cached), outcome in zip(plan, _outcomes(plan, procs)):
        if progress:
            progress(path)
        if isinstance(outcome, str):
            result.skipped.append(Skipped(str(path), outcome))
            continue
        result.reports.append(_without_suffix(outcome))
        result.sources[str(path)] = keys[id(outcome)] = key
    result.reports, result.duplicates = drop_duplicates(result.reports)
    _disambiguate_ids(result.reports)
    result.report_sources = {r.id: keys[id(r)] for r in result.reports}
    return result


def _plan(paths, cache, result: ReadResult) -> list[tuple[Path, dict | None, str, Report | None]]:
    """(file, manifest row, source key, the cached report if unchanged) per file."""
    manifests: dict[Path, dict[str, dict]] = {}
    plan = []
    for path in list_report_files(paths):
        if not path.exists():
            result.skipped.append(Skipped(str(path), "no such file"))
            continue
        if path.parent not in manifests:       # once per folder, not once per file
            manifests[path.parent] = load_manifest(path.parent)
        row = manifests[path.parent].get(path.name)
        key = source_key(path, row)
        plan.append((path, row, key, cache(key) if cache else None))
    return plan


def _outcomes(plan: list, procs: int):
    """The report read from each planned file (or the reason it was skipped), in order."""
    todo = [(path, row) for path, row, _key, cached in plan if cached is None]
    if procs > 1 and len(todo) >= 4 * procs:
        # Forked while the process is still small; reading is pure Python, so
        # processes (not threads) are what use the second core.
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(procs, mp_context=context) as pool:
            fresh = pool.map(_read_or_reason, todo, chunksize=8)
            yield from _merge(plan, fresh)
    else:
        yield from _merge(plan, map(_read_or_reason, todo))


def _merge(plan: list, fresh):
    for _path, _row, _key, cached in plan:
        yield cached if cached is not None else next(fresh)


def _read_or_reason(job: tuple[Path, dict | None]) -> Report | str:
    try:
        return read_report(*job)
    except ReadError as exc:
        return str(exc)


def source_key(path: Path, manifest_row: dict | None) -> str:
    """What a report's reading depends on: the file's bytes and its manifest row."""
    digest = hashlib.sha1(path.read_bytes())
    digest.update(repr(sorted((manifest_row or {}).items())).encode("utf-8"))
    return digest.hexdigest()


def load_manifest(folder: Path) -> dict[str, dict]:
    """``manifest.csv`` rows by file name (file,title,agency,year,source_url)."""
    path = folder / MANIFEST
    if not path.exists():
        return {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return {row["file"].strip(): row for row in csv.DictReader(handle) if row.get("file")}


def read_report(path: str | Path, manifest_row: dict | None = None) -> Report:
    """Read one file into a :class:`Report`; raises ReadError when it cannot."""
    raw = read_file(path)
    paragraphs = clean_paragraphs(raw.text, raw.fmt)
    if not paragraphs:
        raise ReadError("no report text left after cleaning")
    meta = find_metadata(paragraphs, raw.text, raw.hints)
    _apply_manifest(meta, manifest_row or {})
    meta.province, meta.city, meta.county = resolve_region(meta.agency, meta.title)
    meta.agency = full_agency_name(meta.agency, meta.city, meta.county)
    report_id = make_report_id(meta.agency, meta.year, meta.title, paragraphs)
    headings, passages = split_passages(report_id, paragraphs, markdown_headings(raw.text))
    text = "\n\n".join(p.text for p in passages)
    return Report(
        id=report_id, source=Path(path).name, fmt=raw.fmt, text=text,
        title=meta.title, agency=meta.agency, province=meta.province, city=meta.city,
        county=meta.county, year=meta.year, date=meta.date,
        source_url=(manifest_row or {}).get("source_url", "") or "",
        headings=headings, passages=passages,
        checksum=hashlib.sha1(text.encode("utf-8")).hexdigest(),
    )


def _apply_manifest(meta, row: dict) -> None:
    if row.get("title", "").strip():
        meta.title = row["title"].strip()
    if row.get("agency", "").strip():
        meta.agency = row["agency"].strip()
    year = re.match(r"\s*((?:19|20)\d{2})", str(row.get("year") or ""))   # also "2025(approx, from text)"
    if year:
        meta.year = int(year.group(1))


def make_report_id(agency: str, year: int | None, title: str, paragraphs: list[str]) -> str:
    """A stable id from what the report says of itself, so its TXT and DOCX
    editions, and a rebuild, give the same id: ``r2022-<10 hex>``."""
    key = "|".join([agency, str(year or ""), title]) if title else fingerprint(paragraphs)[:500]
    digest = hashlib.sha1(squash(key).encode("utf-8")).hexdigest()[:10]
    return f"r{year or 0}-{digest}"


def fingerprint(paragraphs: list[str]) -> str:
    """The text with width forms folded and whitespace and punctuation removed:
    equal for two editions of the same report."""
    return fold("".join(paragraphs))


def drop_duplicates(reports: list[Report]) -> tuple[list[Report], list[Duplicate]]:
    """Keep one report per id (same agency, year and title) or per identical
    text; prefer plain text, then Word, then web page, then PDF."""
    # Among equals, the file met first (the folder named first) is kept.
    order = {id(r): n for n, r in enumerate(reports)}
    ordered = sorted(reports, key=lambda r: (_FORMAT_PREFERENCE.get(r.fmt, 9), order[id(r)]))
    # Folding is the costly part: once per report, also for the _similar checks.
    folded = {id(r): fingerprint([r.text]) for r in reports}
    by_id: dict[str, Report] = {}
    by_text: dict[str, Report] = {}
    survivors: set[int] = set()
    duplicates: list[Duplicate] = []
    for report in ordered:
        text_key = folded[id(report)]      # the folded text itself: no need to hash it
        same = by_text.get(text_key) or by_id.get(report.id)
        if same is not None and _similar(folded[id(same)], folded[id(report)]):
            duplicates.append(Duplicate(kept=same.source, dropped=report.source))
            log.info("%s", duplicates[-1])
            continue
        survivors.add(id(report))
        by_id.setdefault(report.id, report)
        by_text.setdefault(text_key, report)
    return [r for r in reports if id(r) in survivors], duplicates


def _similar(fa: str, fb: str) -> bool:
    """Most of one folded text's 8-character shingles appear in the other."""
    if fa == fb:
        return True
    sa = {fa[i:i + 8] for i in range(0, max(1, len(fa) - 7), 4)}
    sb = {fb[i:i + 8] for i in range(0, max(1, len(fb) - 7))}
    return len(sa & sb) >= 0.8 * len(sa)


def _without_suffix(report: Report) -> Report:
    """A cached report may carry the ``-2`` suffix of an earlier disambiguation;
    start from its plain id so the suffixes are handed out afresh."""
    base = re.match(r"^(r\d+-[0-9a-f]{10})-\d+$", report.id)
    if base:
        _rename(report, base.group(1))
    return report


def _rename(report: Report, new_id: str) -> None:
    for passage in report.passages:
        passage.id = new_id + passage.id[len(report.id):]
    for heading in report.headings:
        heading.anchor = new_id + heading.anchor[len(report.id):]
    report.id = new_id


def _disambiguate_ids(reports: list[Report]) -> None:
    """Two different reports with the same agency, year and title: suffix the
    later ones (in file order) so every id is unique and still stable."""
    seen: dict[str, int] = {}
    for report in reports:
        count = seen.get(report.id, 0)
        seen[report.id] = count + 1
        if count:
            _rename(report, f"{report.id}-{count + 1}")
