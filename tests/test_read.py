"""Reading files of every published form; bad files give one-line reasons."""
import importlib.util
import re
import zipfile
from pathlib import Path

import pytest

from indexer.read import ReadError, read_file
from indexer.report.corpus import read_report, read_reports

DATA = Path(__file__).resolve().parent / "data"

TEXT = "阳江市卫生健康局2022年法治政府建设年度报告\n\n一、主要举措和成效\n\n继续组织实施“双随机”监督抽检工作。\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk", "big5"])
def test_text_in_any_encoding(tmp_path, encoding):
    text = TEXT if encoding != "big5" else "陽江市衛生健康局年度報告\n\n繼續組織實施雙隨機監督抽檢工作，提升執法水平。\n" * 3
    path = tmp_path / "report.txt"
    path.write_bytes(text.encode(encoding))
    assert read_file(path).text.strip() == text.strip()


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_crlf_and_cr_line_ends(tmp_path, newline):
    path = tmp_path / "report.txt"
    path.write_bytes(TEXT.replace("\n", newline).encode("utf-8"))
    assert read_file(path).text == TEXT


def test_html_article_only(tmp_path):
    page = ("<html><head><title>站点</title><script>var a=1;</script></head><body>"
            "<div class='nav'>首页 | 政务公开 | 办事服务 | 互动交流</div>"
            "<div class='article'><h1>阳江市卫生健康局2022年法治政府建设年度报告</h1>"
            + "".join(f"<p>第{i}段：继续组织实施“双随机”监督抽检工作，不断提高医疗卫生行业监管水平。</p>" for i in range(8))
            + "</div><div class='footer'>主办单位：人民政府办公室 备案号：粤ICP备00000000号</div></body></html>")
    path = tmp_path / "page.html"
    path.write_text(page, encoding="utf-8")
    text = read_file(path).text
    assert "第7段：继续组织实施“双随机”" in text
    assert "ICP" not in text and "var a" not in text and "政务公开" not in text


@pytest.mark.parametrize("name,content,reason", [
    ("empty.txt", b"", "empty"),
    ("binary.txt", bytes(range(256)) * 20, "binary"),
    ("truncated.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog", "PDF"),
    ("fake.docx", b"this is not a word file", "not a Word"),
    ("image.png", b"\x89PNG\r\n\x1a\n", "unknown file type"),
    ("broken.docx", None, "docx"),
])
def test_bad_files_are_skipped_with_reason(tmp_path, sample_dir, name, content, reason):
    bad = tmp_path / name
    if content is None:         # a zip that is not a Word package
        with zipfile.ZipFile(bad, "w") as archive:
            archive.writestr("hello.txt", "hi")
    else:
        bad.write_bytes(content)
    good = tmp_path / "good.txt"
    good.write_text((sample_dir / "002_fe0e8058e257553a.txt").read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(ReadError) as excinfo:
        read_file(bad)
    assert reason.lower() in str(excinfo.value).lower()
    assert "\n" not in str(excinfo.value)
    result = read_reports([tmp_path])
    assert [r.source for r in result.reports] == ["good.txt"]
    assert [s.path for s in result.skipped] == [str(bad)]
    assert name in str(result.skipped[0])


def test_pdf_without_text_layer_is_skipped(tmp_path):
    # A valid one-page PDF with no text drawn on it.
    pdf = (b"%PDF-1.1\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
           b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
           b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
           b"trailer<</Root 1 0 R>>\n%%EOF\n")
    path = tmp_path / "scan.pdf"
    path.write_bytes(pdf)
    with pytest.raises(ReadError, match="no text"):
        read_file(path)


def _made_from() -> object:
    """tests/data/make_formats.py: how the bundled Word and PDF files were made."""
    spec = importlib.util.spec_from_file_location("make_formats", DATA / "make_formats.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_good_word_file_gives_its_paragraphs_in_order():
    assert read_file(DATA / "report.docx").text.split("\n\n") == _made_from().paragraphs()


def test_a_good_pdf_gives_its_text_layer_with_the_page_break():
    text = read_file(DATA / "report.pdf").text
    assert text.count("\f") >= 1                           # two pages: a form feed between them
    assert re.sub(r"\s", "", text) == re.sub(r"\s", "", _made_from().excerpt())


@pytest.mark.parametrize("name,fmt", [("report.docx", "docx"), ("report.pdf", "pdf")])
def test_word_and_pdf_read_to_the_report_of_their_text(tmp_path, name, fmt):
    """The bundled files hold the start of sample 000 (no ../shared needed): they
    read to the passages, headings, metadata and ids of the same text as .txt,
    the PDF's line wraps and page break rejoined."""
    twin = tmp_path / "report.txt"
    twin.write_text(_made_from().excerpt(), encoding="utf-8")
    ours, theirs = read_report(DATA / name), read_report(twin)
    assert ours.fmt == fmt and len(ours.passages) == 8
    assert [p.text for p in ours.passages] == [p.text for p in theirs.passages]
    assert [p.id for p in ours.passages] == [p.id for p in theirs.passages]
    assert [(h.level, h.title, h.category) for h in ours.headings] == \
        [(h.level, h.title, h.category) for h in theirs.headings]
    assert (ours.id, ours.title, ours.agency, ours.year) == (
        "r2022-0177ae4c5d", "潮州市湘桥区卫生健康局2022年法治政府建设年度报告", "潮州市湘桥区卫生健康局", 2022)
