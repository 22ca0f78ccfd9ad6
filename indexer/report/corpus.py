"""Read a folder of reports: each file read, cleaned, structured and split;
bad files skipped with a reason, the same report in two files kept once.

This is the whole reading half of the pipeline:
read (``read/``) → clean (``clean.py``, ``chrome.py``) → metadata (``declared.py``
for what a page states, ``metadata.py`` and ``issuer.py`` for what its body says,
``region.py`` for where the issuer is) → structure and passages (``structure.py``,
``passages.py``).
"""
from __future__ import annotations

import csv
import hashlib
import io
import logging
import multiprocessing
import os
import re
import stat
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ..analysis.fold import fold, squash
from ..children import die_with_parent_on_fork
from ..model import Duplicate, Report, Skipped
from ..read import SUPPORTED, FileTimeout, Limits, ReadError, read_file, time_limit
from .clean import clean_paragraphs, markdown_headings
from .issuer import agency_kind, agency_level, is_national
from .kind import document_kind
from .metadata import find_metadata
from .passages import split_passages
from .region import full_agency_name, resolve_region, superior_county

log = logging.getLogger(__name__)

MANIFEST = "manifest.csv"
SAMPLES = Path(__file__).resolve().parents[1] / "samples"      # the bundled sample reports
_NOT_REPORTS = re.compile(r"^(readme|license|licence|changelog|manifest)\b", re.IGNORECASE)
# Which copy of a duplicated report to keep: the one closest to the author's text.
_FORMAT_PREFERENCE = {"txt": 0, "docx": 1, "html": 2, "pdf": 3}


@dataclass
class ReadResult:
    """What reading a set of files gives: reports, files skipped and why, duplicates dropped, source keys."""
    reports: list[Report] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)          # file → source key
    report_sources: dict[str, str] = field(default_factory=dict)   # report id → source key
    digests: dict[str, str] = field(default_factory=dict)          # source key → text_digest of its report


def list_report_files(paths: list[str | Path], follow_links: bool = False) -> list[Path]:
    """The files to read under ``paths`` (files or folders), in a stable order."""
    return scan_report_files(paths, follow_links)[0]


def scan_report_files(paths: list[str | Path], follow_links: bool = False) -> tuple[list[Path], list[Skipped]]:
    """The files to read under ``paths``, and every entry passed over with its reason.

    A corpus is what lies under the folders the user named: a symbolic link
    leading out of its folder is skipped unless ``follow_links``; so are broken
    links, FIFOs, devices and folders named like reports (``x.txt/``)."""
    files: list[Path] = []
    skipped: list[Skipped] = []
    for path in map(Path, paths):
        if path.is_dir():       # named by the user: read, even through a link
            for entry in _walk(path, follow_links):
                reason = _entry_problem(entry, path, follow_links)
                if reason:
                    skipped.append(Skipped(shown_path(entry), reason))
                elif entry.is_file():
                    files.append(entry)
        else:
            reason = _entry_problem(path, None, True)
            if reason:
                skipped.append(Skipped(shown_path(path), reason))
            else:
                files.append(path)
    return files, skipped


def _walk(folder: Path, follow_links: bool):
    """Every candidate entry under ``folder``, sorted; folders are entered, not yielded,
    unless named like a report."""
    seen: set[str] = set()
    for top, dirs, names in os.walk(folder, followlinks=follow_links):
        seen.add(os.path.realpath(top))
        if follow_links:     # a link to a folder above would be walked forever
            dirs[:] = [d for d in dirs if os.path.realpath(os.path.join(top, d)) not in seen]
        dirs.sort()
        base = Path(top)
        named_like_reports = [d for d in dirs if Path(d).suffix.lower() in SUPPORTED]
        linked_out = [d for d in dirs if (base / d).is_symlink() and not follow_links]
        for name in sorted(names + named_like_reports + linked_out):
            if _is_candidate(Path(name)):
                yield base / name


def _entry_problem(entry: Path, root: Path | None, follow_links: bool) -> str | None:
    """Why ``entry`` is not read as a report, or None when it is a file to read.
    ``root``: the folder named by the user (None for a file named directly)."""
    try:
        if entry.is_symlink():
            target = entry.resolve()
            if not target.exists():
                return "broken symbolic link"
            if root is not None and not follow_links and not target.is_relative_to(root.resolve()):
                return f"symbolic link to outside the folder ({target}); use --follow-links to read it"
        mode = entry.stat().st_mode
    except (OSError, RuntimeError) as exc:       # RuntimeError: a symlink loop
        return f"cannot open: {getattr(exc, 'strerror', None) or exc}"
    if stat.S_ISDIR(mode):
        if entry.is_symlink():
            return "symbolic link to a folder inside the corpus (its files are read there)"
        return "a folder, not a file" if root is not None else None
    if not stat.S_ISREG(mode):
        kind = "FIFO" if stat.S_ISFIFO(mode) else "socket" if stat.S_ISSOCK(mode) else "device"
        return f"not a regular file (a {kind})"
    return None


def shown_path(path: str | Path) -> str:
    """A path as text that can be shown and stored: file names in bytes that are
    not UTF-8 (zips made on Windows name files in GBK) are read as GB18030."""
    raw = os.fsencode(str(path))
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("gb18030", errors="replace")


def _is_candidate(path: Path) -> bool:
    return not path.name.startswith(".") and not _NOT_REPORTS.match(path.name)


def read_reports(paths: list[str | Path], progress=None, cache=None, procs: int = 1,
                 limits: Limits | None = None, follow_links: bool = False,
                 digests: dict[str, str] | None = None) -> ReadResult:
    """Read every report under ``paths``.  ``progress`` (optional) is called
    once per file, for a progress bar.  ``cache`` (optional) maps a source key
    to the report read from it before: an unchanged file is not read again.
    ``procs`` > 1 reads the files in that many processes (same result).
    ``limits``: per-file limits of size, unpacked size and time (see ``read.Limits``).
    ``digests`` (optional): source key → the ``text_digest`` of that report,
    from before, so an unchanged report's text need not be folded again."""
    result = ReadResult()
    keys: dict[int, str] = {}
    plan = _plan(paths, cache, result, follow_links)
    for (path, _row, key, _cached), outcome in zip(plan, _outcomes(plan, procs, limits or Limits())):
        if progress:
            progress(path)
        if isinstance(outcome, str):
            result.skipped.append(Skipped(shown_path(path), outcome))
            continue
        result.reports.append(_without_suffix(outcome))
        result.sources[shown_path(path)] = keys[id(outcome)] = key
    known = {id(r): (digests or {}).get(keys[id(r)]) for r in result.reports}
    result.reports, result.duplicates, found = drop_duplicates(result.reports, known)
    _disambiguate_ids(result.reports)
    result.report_sources = {r.id: keys[id(r)] for r in result.reports}
    result.digests = {keys[id(r)]: found[id(r)] for r in result.reports}
    return result


def _plan(paths, cache, result: ReadResult, follow_links: bool) -> list[tuple[Path, dict | None, str, Report | None]]:
    """(file, manifest row, source key, the cached report if unchanged) per file."""
    manifests: dict[Path, dict[str, dict]] = {}
    plan = []
    files, result.skipped[:0] = scan_report_files(paths, follow_links)
    for path in files:
        if path.parent not in manifests:       # once per folder, not once per file
            manifests[path.parent] = _manifest_or_skip(path.parent, result)
        row = manifests[path.parent].get(path.name) or manifests[path.parent].get(shown_path(path.name))
        try:
            key = source_key(path, row)
        except OSError as exc:
            result.skipped.append(Skipped(shown_path(path), f"cannot open: {exc.strerror or exc}"))
            continue
        plan.append((path, row, key, cache(key) if cache else None))
    return plan


def _manifest_or_skip(folder: Path, result: ReadResult) -> dict[str, dict]:
    try:
        return load_manifest(folder)
    except (OSError, ValueError, csv.Error) as exc:
        result.skipped.append(Skipped(shown_path(folder / MANIFEST), f"manifest not read: {exc}"[:200]))
        return {}


def _outcomes(plan: list, procs: int, limits: Limits):
    """The report read from each planned file (or the reason it was skipped), in order."""
    todo = [(path, row, limits) for path, row, _key, cached in plan if cached is None]
    if procs > 1 and len(todo) >= 4 * procs:
        # Forked while the process is still small; reading is pure Python, so
        # processes (not threads) are what use the second core.
        die_with_parent_on_fork()        # a killed build leaves no reader behind
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(procs, mp_context=context) as pool:
            fresh = pool.map(_read_or_reason, todo, chunksize=8)
            yield from _merge(plan, fresh)
    else:
        yield from _merge(plan, map(_read_or_reason, todo))


def _merge(plan: list, fresh):
    for _path, _row, _key, cached in plan:
        yield cached if cached is not None else next(fresh)


def _read_or_reason(job: tuple[Path, dict | None, Limits]) -> Report | str:
    try:
        return read_within_limits(*job)
    except ReadError as exc:
        return " ".join(str(exc).split()) or "cannot read"     # one line, whatever a library said


def read_within_limits(path: Path, row: dict | None, limits: Limits) -> Report:
    """``read_report`` within the time limit; raises ReadError for whatever goes
    wrong in reading one file (a library's bug on odd input included), so that
    it becomes that file's skip reason, never the end of the build."""
    try:
        with time_limit(limits.seconds):
            return read_report(path, row, limits)
    except ReadError:
        raise
    except FileTimeout as exc:
        raise ReadError(str(exc)) from None
    except (MemoryError, RecursionError) as exc:
        raise ReadError(f"too large to read ({type(exc).__name__})") from None
    except Exception as exc:  # noqa: BLE001  (the file is named in the skip list; the build goes on)
        log.warning("reading %s failed", shown_path(path), exc_info=True)
        raise ReadError(f"cannot read: {type(exc).__name__}: {exc}"[:200]) from None


def source_key(path: Path, manifest_row: dict | None) -> str:
    """What a report's reading depends on: the file's bytes and its manifest row."""
    digest = hashlib.sha1()
    with open(path, "rb") as handle:        # in pieces: the file may be large
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    digest.update(repr(sorted((manifest_row or {}).items())).encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def load_manifest(folder: Path) -> dict[str, dict]:
    """``manifest.csv`` rows by file name (file,title,agency,year,source_url).
    UTF-8 with or without BOM, or GBK/GB18030 as Excel saves it on a Chinese Windows."""
    path = folder / MANIFEST
    if not path.is_file():
        return {}
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("gb18030")       # raises ValueError when neither: the manifest is skipped
    reader = csv.DictReader(io.StringIO(text.replace("\x00", ""), newline=""))
    rows = ({k: v for k, v in row.items() if isinstance(k, str) and isinstance(v, str)} for row in reader)
    return {row["file"].strip(): row for row in rows if row.get("file", "").strip()}


def read_report(path: str | Path, manifest_row: dict | None = None, limits: Limits | None = None) -> Report:
    """Read one file into a :class:`Report`; raises ReadError when it cannot."""
    raw = read_file(path, limits)
    paragraphs = clean_paragraphs(raw.text, raw.fmt)
    if not paragraphs:
        raise ReadError("no report text left after cleaning")
    meta = find_metadata(paragraphs, raw.text, raw.hints)
    _apply_manifest(meta, manifest_row or {})
    doc_type, meta.sources["doc_type"] = document_kind(meta.title, paragraphs)
    _resolve_issuer(meta, "\n".join(paragraphs[:40]))
    kind = agency_kind(meta.agency)
    report_id = make_report_id(meta.agency, meta.year, meta.title, paragraphs)
    headings, passages = split_passages(report_id, paragraphs, markdown_headings(raw.text))
    text = "\n\n".join(p.text for p in passages)
    return Report(
        id=report_id, source=shown_path(Path(path).name), fmt=raw.fmt, text=text,
        title=meta.title, agency=meta.agency, province=meta.province, city=meta.city,
        county=meta.county, year=meta.year, date=meta.date,
        source_url=(manifest_row or {}).get("source_url", "") or meta.source_url,
        agency_kind=kind, agency_level=agency_level(meta.agency, kind, meta.province, meta.city, meta.county),
        doc_type=doc_type, coverage=cjk_coverage(raw.text, text),
        sources=meta.sources,
        headings=headings, passages=passages,
        checksum=hashlib.sha1(text.encode("utf-8")).hexdigest(),
    )


_CJK = re.compile(r"[\u4e00-\u9fff]")


def cjk_coverage(source: str, kept: str) -> float:
    """Share of the source's CJK characters that reached the passages (page
    chrome, which the cleaner drops on purpose, is a few per cent)."""
    total = len(_CJK.findall(source))
    return round(min(1.0, len(_CJK.findall(kept)) / total), 4) if total else 1.0


def _apply_manifest(meta, row: dict) -> None:
    if row.get("title", "").strip():
        meta.title = row["title"].strip()
        meta.sources["title"] = "manifest"
    if row.get("agency", "").strip():
        meta.agency = row["agency"].strip()
        meta.sources["agency"] = "manifest"
    year = re.match(r"\s*((?:19|20)\d{2})", str(row.get("year") or ""))   # also "2025(approx, from text)"
    if year:
        meta.year = int(year.group(1))
        meta.sources["year"] = "manifest"


def _resolve_issuer(meta, page_text: str) -> None:
    """Region from the issuer's name (else the title's), and a district body's
    name completed with its city."""
    if is_national(meta.agency):
        return                    # a national body has no region, whatever its title names
    meta.province, meta.city, meta.county = resolve_region(meta.agency, meta.title, context=page_text)
    if meta.province:
        meta.sources["region"] = "agency name" if resolve_region(meta.agency, context=page_text)[0] else "title"
    if not meta.county and agency_kind(meta.agency) == "街道/乡镇":
        _place_town(meta, page_text)
    completed = full_agency_name(meta.agency, meta.city, meta.county)
    if completed != meta.agency:
        meta.agency = completed
        meta.sources["agency"] = meta.sources.get("agency", "") + " + city of the district"


def _place_town(meta, page_text: str) -> None:
    """A town's or street's report names its county in its opening
    (``在宁远县委…领导下``): that is its region, and the county completes its name."""
    province, city, county = superior_county(page_text)
    if province:
        meta.province, meta.city, meta.county = province, city, county
        meta.sources["region"] = "county named in the opening" if county else "city named in the opening"
        if county and not meta.agency.startswith(county):
            meta.agency = county + meta.agency
            meta.sources["agency"] = meta.sources.get("agency", "") + " + county named in the opening"


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


def text_digest(folded: str) -> str:
    """What two reports with the same folded text share (and others do not)."""
    return hashlib.sha1(folded.encode("utf-8")).hexdigest()


def drop_duplicates(reports: list[Report], known: dict[int, str | None] | None = None
                    ) -> tuple[list[Report], list[Duplicate], dict[int, str]]:
    """Keep one report per id (same agency, year and title) or per identical
    text; prefer plain text, then Word, then web page, then PDF.  ``known``:
    ``text_digest`` of the reports that have one already (by ``id(report)``);
    returns the digest of every report too."""
    # Among equals, the file met first (the folder named first) is kept.
    order = {id(r): n for n, r in enumerate(reports)}
    ordered = sorted(reports, key=lambda r: (_FORMAT_PREFERENCE.get(r.fmt, 9), order[id(r)]))
    # Folding is the costly part: once per report, and only for reports without
    # a digest yet or met in a _similar check (an update folds only its new reports).
    cache: dict[int, str] = {}

    def folded(report: Report) -> str:
        if id(report) not in cache:
            cache[id(report)] = fingerprint([report.text])
        return cache[id(report)]
    digests = {id(r): (known or {}).get(id(r)) or text_digest(folded(r)) for r in reports}
    by_id: dict[str, Report] = {}
    by_text: dict[str, Report] = {}
    survivors: set[int] = set()
    duplicates: list[Duplicate] = []
    for report in ordered:
        text_key = digests[id(report)]
        same = by_text.get(text_key) or by_id.get(report.id)
        if same is not None and _similar(folded(same), folded(report)):
            duplicates.append(Duplicate(kept=same.source, dropped=report.source))
            log.info("%s", duplicates[-1])
            continue
        survivors.add(id(report))
        by_id.setdefault(report.id, report)
        by_text.setdefault(text_key, report)
    return [r for r in reports if id(r) in survivors], duplicates, digests


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
        report.rename(base.group(1))
    return report


def _disambiguate_ids(reports: list[Report]) -> None:
    """Two different reports with the same agency, year and title: suffix the
    later ones (in file order) so every id is unique and still stable."""
    seen: dict[str, int] = {}
    for report in reports:
        count = seen.get(report.id, 0)
        seen[report.id] = count + 1
        if count:
            report.rename(f"{report.id}-{count + 1}")
