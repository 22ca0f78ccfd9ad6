"""Reading folders: format twins, duplicates, passages, the real-world texts."""
import re

import pytest

from conftest import shared_path
from indexer.report.corpus import read_report, read_reports
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
    old = [r for r in realworld.reports if r.year and r.year < 1960]
    assert old and all(r.passages for r in old)


def test_reading_in_two_processes_gives_the_same_result(tmp_path, sample_dir):
    import shutil

    for copy in ("a", "b", "c"):                     # 15 files: enough to use the pool
        shutil.copytree(sample_dir, tmp_path / copy)
    (tmp_path / "b" / "bad.pdf").write_bytes(b"%PDF-1.4 truncated")
    one, two = read_reports([tmp_path], procs=1), read_reports([tmp_path], procs=2)
    assert [r.to_dict() for r in two.reports] == [r.to_dict() for r in one.reports]
    assert (two.skipped, two.duplicates, two.sources) == (one.skipped, one.duplicates, one.sources)
    assert len(two.reports) == 5 and len(two.duplicates) == 10 and len(two.skipped) == 1
