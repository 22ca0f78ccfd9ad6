"""Corpora at scale, recombined from real paragraphs.

The paragraphs of the bundled samples and of ``../shared/realworld`` are put
together into new reports under real agency names (agency types × real city and
county names from addressparser's division table), years and dates, so the text
stays realistic while the corpus grows to 10k, 100k or 400k passages.

A corpus is written as a manifest-backed folder (``reports/*.txt`` plus
``manifest.csv``: the layout the reader takes its metadata from), read back once
with the project's own reader, and its passages cached in ``passages.jsonl``: that
file is what every peer indexes, so all runners see the very same passages.
Everything is seeded; nothing under ``bench/data/`` is committed.
"""
from __future__ import annotations

import csv
import json
import random
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .textnorm import is_traditional

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
SAMPLES = ROOT / "indexer" / "samples"
REALWORLD = ROOT.parent / "shared" / "realworld"
GENERATOR_VERSION = 3
SEED = 20240501
SIZES = {"tiny": 400, "1k": 1_000, "10k": 10_000, "100k": 100_000, "400k": 400_000}
SAMPLE_WEIGHT = 4            # each sample paragraph counts four times in the pool
MAX_PARAGRAPH = 480          # below the reader's 500-character cut, so a paragraph stays one passage
# 自然资源局, 人力资源和社会保障局 and 公安局 included: the reader once took 资源 and
# 公安 in them for 资源县 and 公安县 (fixed in indexer.report.metadata.resolve_region).
AGENCY_TYPES = (
    "卫生健康局", "司法局", "市场监督管理局", "生态环境局", "交通运输局", "教育局", "应急管理局",
    "住房和城乡建设局", "农业农村局", "人民政府", "财政局", "民政局", "文化广电旅游体育局",
    "审计局", "统计局", "水利局", "商务局", "自然资源局", "人力资源和社会保障局", "公安局",
)
HEADINGS = (   # (heading template, share of the report's paragraphs)
    ("一、{year}年度推进法治政府建设的主要举措和成效", 0.6),
    ("二、党政主要负责人履行推进法治建设第一责任人职责情况", 0.1),
    ("三、推进法治政府建设存在的不足和原因", 0.1),
    ("四、{next}年度推进法治政府建设的主要安排", 0.2),
)
_OUTSIDE = ("台湾省", "香港特别行政区", "澳门特别行政区")
_ENDS_SENTENCE = re.compile(r"[。！？；]$")
_STARTS_LIKE_HEADING = re.compile(r"^([一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[）)]|\d{1,2}[.．、]|第[一二三四五六七八九十]+)")


def parse_size(name: str) -> int:
    """``10k`` → 10,000 passages; a plain number is taken as is."""
    name = name.strip().lower()
    if name in SIZES:
        return SIZES[name]
    if name.endswith("k"):
        return int(float(name[:-1]) * 1000)
    return int(name)


def default_sources() -> list[Path]:
    return [p for p in (SAMPLES, REALWORLD) if p.exists()]


def paragraph_pool(sources: list[Path]) -> list[str]:
    """Real body paragraphs, deduplicated, in a stable order: no headings, no
    Traditional-script text (the corpus of generator version 3, from before the
    ground truth folded script as the engine does), each ending a sentence so the
    cleaner keeps it whole."""
    from indexer.api import read_reports

    seen: set[str] = set()
    pool: list[str] = []
    sample_names = {p.name for p in SAMPLES.glob("*")}
    for report in read_reports(sources).reports:
        for passage in report.passages:
            text = passage.text.strip()
            if (passage.heading or text in seen or not 30 <= len(text) <= MAX_PARAGRAPH
                    or not _ENDS_SENTENCE.search(text) or _STARTS_LIKE_HEADING.match(text)
                    or is_traditional(text)):
                continue
            seen.add(text)
            pool.append(text)
            if Path(report.source).name in sample_names:   # rule-of-law reports: weigh them up
                pool.extend([text] * (SAMPLE_WEIGHT - 1))
    return pool


def places() -> list[tuple[str, str, str]]:
    """(province, city, county) rows of addressparser's table with a proper
    city (…市) and a proper county (…区/县/市), in table order."""
    import addressparser

    table = Path(addressparser.__file__).with_name("pca.csv")
    rows = []
    with table.open(encoding="utf-8") as handle:
        for row in csv.reader(handle):
            _, province, city, county = row[:4]
            if province in _OUTSIDE:
                continue
            proper = (city.endswith("市") and city != province
                      and re.fullmatch(r"[\u4e00-\u9fff]{2,5}[区县市]", county or "")
                      and not re.search(r"开发|高新|新区|管委|园区|经济|试验", county))
            if proper:
                rows.append((province, city, county))
    return rows


def agencies(count: int = 600, seed: int = SEED) -> dict[str, tuple[str, str, str]]:
    """A fixed set of agency names (city-level and county-level bureaus) with
    the (province, city, county) each belongs to, in a stable order."""
    rng = random.Random(seed)
    names: dict[str, tuple[str, str, str]] = {}
    for province, city, county in rng.sample(places(), count):
        kind = rng.choice(AGENCY_TYPES)
        if rng.random() < 0.3:
            names.setdefault(city + kind, (province, city, ""))
        else:
            names.setdefault(city + county + kind, (province, city, county))
    return names


@dataclass
class GenReport:
    file: str
    title: str
    agency: str
    year: int
    date: str             # ISO
    region: tuple[str, str, str] = ("", "", "")
    headed_paragraphs: list[tuple[str, list[str]]] = field(default_factory=list)

    @property
    def passages(self) -> int:
        """Passages the reader makes of it: title, headings, paragraphs, agency and date lines."""
        return 3 + sum(1 + len(paras) for _, paras in self.headed_paragraphs)

    def text(self) -> str:
        parts = [self.title]
        for heading, paras in self.headed_paragraphs:
            parts.append(heading)
            parts.extend(paras)
        year, month, day = (int(x) for x in self.date.split("-"))
        parts += [self.agency, f"{year}年{month}月{day}日"]
        return "\n\n".join(parts) + "\n"


TITLES = ("法治政府建设年度报告", "法治政府建设情况报告", "法治政府建设工作报告")
YEARS = tuple(range(2016, 2025))


def plan_reports(pool: list[str], passages: int, seed: int = SEED) -> list[GenReport]:
    """Reports until ``passages`` is reached.  The sequence is the same for every
    size, so a smaller corpus is a prefix of a larger one."""
    rng = random.Random(seed)
    names = agencies(1500, seed)
    slots = [(a, y, t) for a in names for y in YEARS for t in TITLES]
    random.Random(seed + 1).shuffle(slots)
    reports: list[GenReport] = []
    total = 0
    while total < passages:
        agency, year, kind = slots[len(reports) % len(slots)]
        report = _plan_one(rng, pool, len(reports), agency, year, kind)
        report.region = names[agency]
        reports.append(report)
        total += report.passages
    return reports


def _plan_one(rng: random.Random, pool: list[str], number: int, agency: str, year: int, kind: str) -> GenReport:
    count = rng.randint(12, 70)
    date = f"{year + 1}-{rng.randint(1, 3):02d}-{rng.randint(1, 28):02d}"
    report = GenReport(file=f"{number:06d}.txt", title=f"{agency}{year}年{kind}", agency=agency,
                       year=year, date=date)
    for template, share in HEADINGS:
        heading = template.format(year=year, next=year + 1)
        report.headed_paragraphs.append((heading, [_paragraph(rng, pool) for _ in range(max(1, round(count * share)))]))
    return report


def _paragraph(rng: random.Random, pool: list[str]) -> str:
    """A real paragraph; sometimes two run together, as in longer reports."""
    text = rng.choice(pool)
    if rng.random() < 0.6:
        other = rng.choice(pool)
        if len(text) + len(other) <= MAX_PARAGRAPH:
            text += other
    return text


def write_reports(reports: list[GenReport], folder: Path) -> None:
    """``folder/NNNNNN.txt`` plus ``manifest.csv`` (file,title,agency,year,source_url)."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "manifest.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "title", "agency", "year", "source_url"])
        for report in reports:
            writer.writerow([report.file, report.title, report.agency, report.year, ""])
            (folder / report.file).write_text(report.text(), encoding="utf-8")


@dataclass
class Corpus:
    """A generated corpus on disk: the report folder and the passages read back."""
    name: str
    folder: Path
    reports: int
    passages: int
    text_bytes: int

    @property
    def report_dir(self) -> Path:
        return self.folder / "reports"

    @property
    def passages_file(self) -> Path:
        return self.folder / "passages.jsonl"

    def load_passages(self) -> list[dict]:
        with self.passages_file.open(encoding="utf-8") as handle:
            return [json.loads(line) for line in handle]


def ensure_corpus(size: str, seed: int = SEED, data: Path = DATA, sources: list[Path] | None = None,
                  log=print) -> Corpus:
    """The corpus of ``size`` passages, generated on first use and cached under
    ``data/<size>/`` (regenerated when the seed or the generator changed)."""
    folder = data / size
    stamp = {"version": GENERATOR_VERSION, "seed": seed, "target": parse_size(size),
             "sources": [Path(p).name for p in (sources or default_sources())]}
    meta_file = folder / "meta.json"
    if meta_file.exists():
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
        if meta.get("stamp") == stamp:
            return Corpus(size, folder, meta["reports"], meta["passages"], meta["text_bytes"])
    log(f"generating corpus {size} under {folder} …")
    shutil.rmtree(folder, ignore_errors=True)
    pool = paragraph_pool(sources or default_sources())
    plan = plan_reports(pool, parse_size(size), seed)
    write_reports(plan, folder / "reports")
    rows = read_back(plan, folder / "reports")
    with (folder / "passages.jsonl").open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    text_bytes = sum(len(r["text"].encode("utf-8")) for r in rows)
    meta = {"stamp": stamp, "reports": len(plan), "passages": len(rows), "text_bytes": text_bytes}
    meta_file.write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
    return Corpus(size, folder, len(plan), len(rows), text_bytes)


def read_back(plan: list[GenReport], folder: Path) -> list[dict]:
    """Read the written folder with the project's reader, check that it gives
    back what was generated, and return one row per passage."""
    from indexer.api import read_reports

    result = read_reports([folder])
    problems = [str(s) for s in result.skipped] + [str(d) for d in result.duplicates]
    by_file = {r.source: r for r in result.reports}
    for gen in plan:
        got = by_file.get(gen.file)
        if got is None:
            problems.append(f"{gen.file}: not read back")
            continue
        expected = (gen.title, gen.agency, gen.year, gen.date, gen.region, gen.passages)
        actual = (got.title, got.agency, got.year, got.date, (got.province, got.city, got.county),
                  len(got.passages))
        if expected != actual:
            problems.append(f"{gen.file}: generated {expected}, read {actual}")
    if problems:
        raise RuntimeError("the reader does not read the generated corpus back as written:\n  "
                           + "\n  ".join(problems[:10]))
    return [passage_row(r, p) for r in result.reports for p in r.passages]


def passage_row(report, passage) -> dict:
    return {"pid": passage.id, "text": passage.text, "agency": report.agency,
            "province": report.province, "city": report.city, "year": report.year,
            "section": passage.category, "title": report.title}


def main(argv: list[str] | None = None) -> None:
    """``python -m bench.corpus SIZE...``: generate (or show the cached) corpora."""
    for size in (argv if argv is not None else sys.argv[1:]) or ["10k"]:
        corpus = ensure_corpus(size)
        print(f"{corpus.name}: {corpus.reports} reports, {corpus.passages} passages, "
              f"{corpus.text_bytes / 1e6:.1f} MB of text in {corpus.report_dir}")


if __name__ == "__main__":
    main()
