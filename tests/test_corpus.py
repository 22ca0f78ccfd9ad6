"""Reading folders: format twins, duplicates, passages, the real-world texts."""
import re

import pytest

from conftest import shared_path
from indexer.report.corpus import make_report_id, read_report, read_reports
from indexer.report.passages import split_long


def _squash(text):
    return re.sub(r"\s+", "", text)


def test_sample_folder_reads_five_reports(sample_dir):
    result = read_reports([sample_dir])
    assert len(result.reports) == 5 and not result.skipped and not result.duplicates


def test_passage_ids_are_stable_and_unique(sample_dir):
    first = read_reports([sample_dir]).reports
    second = read_reports([sample_dir]).reports
    ids = [p.id for r in first for p in r.passages]
    assert ids == [p.id for r in second for p in r.passages]
    assert len(ids) == len(set(ids))
    assert all(p.id.startswith(r.id + "-") for r in first for p in r.passages)


# Report ids as published (sha1 of agency|year|title, whitespace and width folded):
# (report id, passages).  A passage id is ``<report id>-<ordinal:04d>``, so these
# pin every passage id too.  They must never change for an existing report.
SAMPLE_IDS = {
    "000_f7229b1349f031b6.txt": ("r2022-0177ae4c5d", 26),
    "001_2bba1cb4cd6e5587.txt": ("r2024-bd6ec47248", 27),
    "002_fe0e8058e257553a.txt": ("r2022-72de5c0895", 51),
    "003_c589ac335115484d.txt": ("r2023-0068f00af0", 30),
    "004_1c6251870824dc6a.txt": ("r2022-af51af795f", 25),
}
# ../shared files whose title, agency and year come from their manifest; chosen
# for full-width brackets, ！ and an ideographic space in the title.
SHARED_IDS = {
    "63_1964_gwr.txt": ("r1964-b4a28a4cd5", 116),
    "05_GAC_2014_218662.txt": ("r2014-dadc89aad2", 4),
    "08_CCID_2019_100455.txt": ("r2019-b9c8a6a3fb", 7),
    "04_Zhejiang_2004_301789.txt": ("r2004-e9c271c1cf", 9),
}


def _ids(reports, names) -> dict:
    return {r.source: (r.id, len(r.passages)) for r in reports if r.source in names}


def _passage_ids_follow_the_report_id(reports) -> None:
    for report in reports:
        assert [p.id for p in report.passages] == [f"{report.id}-{n:04d}" for n in range(1, len(report.passages) + 1)]


def test_sample_ids_are_the_published_ones(sample_dir):
    reports = read_reports([sample_dir]).reports
    assert _ids(reports, SAMPLE_IDS) == SAMPLE_IDS
    _passage_ids_follow_the_report_id(reports)


def test_shared_ids_are_the_published_ones(realworld):
    assert _ids(realworld.reports, SHARED_IDS) == SHARED_IDS
    _passage_ids_follow_the_report_id([r for r in realworld.reports if r.source in SHARED_IDS])


def test_word_and_pdf_editions_keep_the_sample_ids():
    formats = shared_path("formats")
    for name in ("003_c589ac335115484d.docx.docx", "004_1c6251870824dc6a.pdf.pdf"):
        report = read_report(formats / name)
        assert (report.id, len(report.passages)) == SAMPLE_IDS[name.split(".")[0] + ".txt"], name


def test_report_id_folds_width_and_whitespace_only():
    """The id key is folded for width (NFKC) and whitespace, never for script or
    case: these are the ids such reports had, and keep."""
    assert make_report_id("陽江市衛生健康局", 2022, "陽江市衛生健康局２０２２年法治政府建設年度報告（ABC版）", []) \
        == "r2022-32154ac611"
    assert make_report_id("Ａ局", 2021, "Report  Of\u30002021", []) == "r2021-ee4c391610"
    assert make_report_id("Ａ局", 2021, "Report Of 2021", []) == make_report_id("A局", 2021, "ReportOf2021", [])
    assert make_report_id("Ａ局", 2021, "report of 2021", []) != make_report_id("Ａ局", 2021, "Report of 2021", [])
    assert make_report_id("某局", 2021, "法治政府建設", []) != make_report_id("某局", 2021, "法治政府建设", [])
    # no title: the id comes from the start of the folded text
    assert make_report_id("某局", None, "", ["第一段　ＡＢＣ。", "第二段，「繁體」。"]) == "r0-e99e55d991"


def test_two_reports_with_the_same_agency_year_and_title_get_a_suffix(tmp_path, sample_dir):
    """Different texts under one agency, year and title: the later file (in file
    order) gets ``-2``, on its passages and heading anchors too; a re-read from
    the cache (a rebuild) hands the suffixes out the same way."""
    import shutil

    for name, sample in (("a.txt", "000_f7229b1349f031b6.txt"), ("b.txt", "004_1c6251870824dc6a.txt")):
        shutil.copy(sample_dir / sample, tmp_path / name)
    (tmp_path / "manifest.csv").write_text(
        "file,title,agency,year,source_url\n"
        "a.txt,卫生健康局2022年法治政府建设年度报告,某市卫生健康局,2022,\n"
        "b.txt,卫生健康局2022年法治政府建设年度报告,某市卫生健康局,2022,\n", encoding="utf-8")
    base = make_report_id("某市卫生健康局", 2022, "卫生健康局2022年法治政府建设年度报告", [])
    first = read_reports([tmp_path])
    assert not first.duplicates
    assert [(r.source, r.id) for r in first.reports] == [("a.txt", base), ("b.txt", f"{base}-2")]
    suffixed = first.reports[1]
    assert suffixed.passages[0].id == f"{base}-2-0001"
    assert all(p.id.startswith(f"{base}-2-") for p in suffixed.passages)
    assert suffixed.headings and all(h.anchor.startswith(f"{base}-2-h") for h in suffixed.headings)
    _passage_ids_follow_the_report_id(first.reports)

    by_key = {first.report_sources[r.id]: r for r in first.reports}
    again = read_reports([tmp_path], cache=by_key.get)
    assert [(r.source, r.id) for r in again.reports] == [("a.txt", base), ("b.txt", f"{base}-2")]
    assert [p.id for r in again.reports for p in r.passages] == [p.id for r in first.reports for p in r.passages]

    (tmp_path / "c.txt").write_text((sample_dir / "002_fe0e8058e257553a.txt").read_text(encoding="utf-8"),
                                    encoding="utf-8")
    with (tmp_path / "manifest.csv").open("a", encoding="utf-8") as manifest:
        manifest.write("c.txt,卫生健康局2022年法治政府建设年度报告,某市卫生健康局,2022,\n")
    third = read_reports([tmp_path], cache=by_key.get)
    assert [r.id for r in third.reports] == [base, f"{base}-2", f"{base}-3"]


def test_every_sentence_in_exactly_one_passage(sample_dir):
    for report in read_reports([sample_dir]).reports:
        assert "\n\n".join(p.text for p in report.passages) == report.text
        for passage in report.passages:
            assert report.text[passage.start:passage.start + len(passage.text)] == passage.text


def test_long_paragraph_split_at_sentence_ends():
    paragraph = "".join(f"第{i}句话说的是一件很长很长的事情，要说清楚需要不少字。" for i in range(40))
    pieces = split_long(paragraph)
    assert len(pieces) > 1 and "".join(pieces) == paragraph
    assert all(piece.endswith("。") for piece in pieces)


def test_formats_read_to_the_same_passages_as_their_text_twin():
    formats = shared_path("formats")
    corpus = shared_path("corpus")
    for path in sorted(formats.iterdir()):
        twin = corpus / (path.name.split(".")[0] + ".txt")
        ours, theirs = read_report(path), read_report(twin)
        assert [_squash(p.text) for p in ours.passages] == [_squash(p.text) for p in theirs.passages], path.name
        assert ours.id == theirs.id, path.name


def test_formats_and_corpus_together_are_five_reports():
    result = read_reports([shared_path("corpus"), shared_path("formats")])
    assert len(result.reports) == 5
    assert len(result.duplicates) == 5
    assert {r.fmt for r in result.reports} == {"txt"}          # the plain text is kept
    assert all("kept" in str(d) for d in result.duplicates)


def test_same_report_in_gbk_and_utf8_is_indexed_once(tmp_path, sample_dir):
    text = (sample_dir / "002_fe0e8058e257553a.txt").read_text(encoding="utf-8")
    (tmp_path / "a.txt").write_text(text, encoding="utf-8")
    (tmp_path / "b.txt").write_bytes(text.encode("gb18030"))
    result = read_reports([tmp_path])
    assert [r.source for r in result.reports] == ["a.txt"]
    assert (result.duplicates[0].kept, result.duplicates[0].dropped) == ("a.txt", "b.txt")


BOILERPLATE = re.compile(
    r"本作品|公有领域|Public domain|维基|ICP备|公网安备|网站地图|主办单位|字号[:：]|浏览次数|"
    r"分享[:：]?$|^打印|关闭窗口|二维码|本模板|^(true|false)$|^\[.*\]$")


@pytest.fixture(scope="module")
def realworld():
    return read_reports([shared_path("realworld")])


def test_all_realworld_files_read(realworld):
    assert len(realworld.reports) == 100 and not realworld.skipped and not realworld.duplicates


def test_realworld_metadata_from_manifest(realworld):
    import csv
    root = shared_path("realworld")
    rows = {}
    for manifest in root.rglob("manifest.csv"):
        with manifest.open(encoding="utf-8") as handle:
            rows.update({row["file"]: row for row in csv.DictReader(handle)})
    for report in realworld.reports:
        row = rows[report.source]
        assert (report.title, report.agency, report.year, report.source_url) == (
            row["title"], row["agency"], int(row["year"][:4]), row["source_url"])


def test_no_realworld_passage_is_boilerplate(realworld):
    offenders = [(r.source, p.text[:60]) for r in realworld.reports for p in r.passages
                 if len(p.text) < 200 and BOILERPLATE.search(p.text.strip())]
    assert offenders == []


def test_realworld_traditional_texts_keep_their_characters(realworld):
    """Script is folded for matching only: every Traditional character of a file
    is in its passages, as many times, unconverted."""
    from collections import Counter

    from indexer.analysis import to_simplified
    from indexer.read import read_file

    root = shared_path("realworld")

    def traditional(text: str) -> Counter:
        return Counter(c for c in text if to_simplified(c) != c)

    old = [r for r in realworld.reports if r.year and r.year < 1960]
    assert old and all(r.passages for r in old)
    kept = {}
    for report in realworld.reports:
        raw = traditional(read_file(next(root.rglob(report.source))).text)
        assert traditional("".join(p.text for p in report.passages)) == raw, report.source
        kept[report.source] = sum(raw.values())
    assert kept["71_1954_gwr.txt"] > 6000 and kept["68_1957_gwr.txt"] > 200


def test_reading_in_two_processes_gives_the_same_result(tmp_path, sample_dir):
    import shutil

    for copy in ("a", "b", "c"):                     # 15 files: enough to use the pool
        shutil.copytree(sample_dir, tmp_path / copy)
    (tmp_path / "b" / "bad.pdf").write_bytes(b"%PDF-1.4 truncated")
    one, two = read_reports([tmp_path], procs=1), read_reports([tmp_path], procs=2)
    assert [r.to_dict() for r in two.reports] == [r.to_dict() for r in one.reports]
    assert (two.skipped, two.duplicates, two.sources) == (one.skipped, one.duplicates, one.sources)
    assert len(two.reports) == 5 and len(two.duplicates) == 10 and len(two.skipped) == 1
