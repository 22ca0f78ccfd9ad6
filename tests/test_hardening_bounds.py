"""Every input bounded (issue 24): passages, paragraphs per file, pictures in a
Word file, streams in a PDF, snippet windows, caches keyed on user input."""
from __future__ import annotations

import io
import random
import time
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import pytest

from indexer.read import Limits, ReadError, read_file
from indexer.report import passages
from indexer.report.corpus import read_report
from indexer.search import snippets
from indexer.search.snippets import SNIPPET_TARGET, snippet

DATA = Path(__file__).parent / "data"


def test_a_paragraph_without_sentence_ends_is_cut_at_clauses_else_at_the_bound(tmp_path):
    clauses = "，".join(f"第{n}项工作推进有力" for n in range(3000))          # no 。 anywhere
    bare = "执法" * 40_000                                                 # no mark at all
    path = tmp_path / "unpunctuated.txt"
    path.write_text(f"某局2023年法治政府建设情况报告\n\n{clauses}\n\n{bare}\n", encoding="utf-8")
    report = read_report(path)
    texts = [p.text for p in report.passages]
    assert max(map(len, texts)) <= passages.HARD_MAX_PASSAGE
    assert clauses in "".join(texts) and bare in "".join(texts)       # every character kept, in order
    clause_pieces = [t for t in texts if "项工作" in t and "执" not in t]
    assert len(clause_pieces) > 20
    assert all(t.endswith("，") for t in clause_pieces[:-1])           # cut after a clause mark
    bare_pieces = [len(t) for t in texts if set(t) == {"执", "法"}]
    assert len(bare_pieces) >= 70 and set(bare_pieces[:-1]) == {passages.HARD_MAX_PASSAGE}   # at the bound


def test_a_file_of_too_many_paragraphs_is_skipped_with_a_reason(tmp_path, monkeypatch):
    monkeypatch.setattr(passages, "MAX_PARAGRAPHS", 300)
    path = tmp_path / "lines.txt"
    path.write_text("某局2023年法治政府建设情况报告\n\n" + "\n\n".join(f"第{n}条。" for n in range(400)),
                    encoding="utf-8")
    with pytest.raises(ReadError, match="paragraphs"):
        read_report(path)


def _old_window_start(text, spans):
    """The quadratic search the two-pointer one replaced (the reference): the
    window of the most different matched words, then of the most matches."""
    best, best_count = spans[0][0], (0, 0)
    for start, _ in spans:
        inside = [text[s:e] for s, e in spans if s >= start and e <= start + SNIPPET_TARGET]
        count = (len(set(inside)), len(inside))
        if count > best_count:
            best, best_count = start, count
    return best


def test_the_densest_cluster_is_found_in_one_pass_as_before():
    rng = random.Random(24)
    for _ in range(300):
        starts = sorted(rng.sample(range(2000), rng.randint(1, 60)))
        spans = snippets._merge([(s, s + rng.randint(1, 30)) for s in starts])
        text = "".join(rng.choice("法治") for _ in range(2100))    # few distinct words: ties on the first key
        assert snippets._densest(text, spans) == _old_window_start(text, spans)
    # A sparse first cluster, a denser second one: the window goes to the second.
    text = "双随机" + "。" * 300 + "，".join(["双随机、执法"] * 6) + "。" * 300
    shown = snippet(text, ["双随机"])
    assert shown["text"].count("双随机") >= 5 and shown["cut_before"]


def test_a_snippet_of_many_matches_is_linear():
    text = "执法检查，" * 20_000               # 20,000 matches in one passage
    started = time.perf_counter()
    shown = snippet(text, ["执法"])
    assert time.perf_counter() - started < 1.0
    assert shown["spans"] and len(shown["text"]) <= snippets.SNIPPET_MAX


def _with_picture(source: bytes, size: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source)) as package, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy:
        for info in package.infolist():
            copy.writestr(info, package.read(info))
        copy.writestr("word/media/image99.png", b"\0" * size)
    return out.getvalue()


def test_a_huge_picture_in_a_word_file_is_not_unpacked(tmp_path):
    path = tmp_path / "picture.docx"
    path.write_bytes(_with_picture((DATA / "report.docx").read_bytes(), 200 << 20))
    assert path.stat().st_size < 2 << 20
    tracemalloc.start()
    try:
        raw = read_file(path, Limits())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert raw.text.strip() == read_file(DATA / "report.docx", Limits()).text.strip()
    assert peak < 40 << 20, peak                     # the picture alone is 200 MB


def _pdf_with_stream(content: bytes) -> bytes:
    stream = zlib.compress(content, 9)
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 600 800] /Contents 4 0 R >>",
               b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream"]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.writelines(b"%010d 00000 n \n" % at for at in offsets)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def test_a_pdf_stream_that_unpacks_past_the_limit_is_refused_without_unpacking_it(tmp_path):
    path = tmp_path / "bomb.pdf"
    path.write_bytes(_pdf_with_stream(b" " * (200 << 20)))
    assert path.stat().st_size < 1 << 20
    tracemalloc.start()
    try:
        with pytest.raises(ReadError, match="max-unpacked-mb"):
            read_file(path, Limits(unpacked=20 << 20))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 60 << 20, peak
    assert read_file(DATA / "report.pdf", Limits(unpacked=20 << 20)).text.strip()    # a real one still reads


def test_the_url_encoding_cache_is_bounded_by_bytes():
    from search_web import urls

    for n in range(3000):
        urls._quoted(f"{n}" + "执法" * 400)       # 3,000 long queries: 22 MB encoded
    cache = urls._quoted.cache
    assert cache.currsize <= cache.maxsize <= 8 << 20


@pytest.fixture(scope="module")
def long_report_index(tmp_path_factory) -> Path:
    """The samples plus one report of about 120,000 characters under 40 headings
    (shown in parts), many of its passages in the category 其他."""
    from indexer.build import build_index
    from indexer.report.corpus import SAMPLES

    folder = tmp_path_factory.mktemp("long-report")
    for path in SAMPLES.glob("*.txt"):
        (folder / path.name).write_bytes(path.read_bytes())
    sections = "\n\n".join(f"{n}.第{n}项工作\n\n" + "\n\n".join(
        f"本单位坚持依法行政，持续推进执法规范化建设，第{n}项第{k}段工作取得成效，群众满意度不断提升。" * 6
        for k in range(12)) for n in range(1, 41))
    (folder / "long.txt").write_text(f"某市司法局2023年法治政府建设情况报告\n\n{sections}\n", encoding="utf-8")
    index = tmp_path_factory.mktemp("long-index")
    build_index([folder], index, words=False, near=False)
    return index


def test_table_of_contents_links_carry_no_query(long_report_index):
    from search_web import create_app

    client = create_app({"TESTING": True, "INDEX_DIR": long_report_index}).test_client()
    found = client.get("/search.json?q=第7项第3段").json["hits"][0]
    q = " ".join(["执法", "规范化", "建设", "群众", "满意度"] * 3)            # a long query
    page = client.get(f"/p/{found['passage_id']}.json", query_string={"q": q}).json
    assert page["parts"] and page["parts"]["count"] > 1
    links = [h["href"] for h in page["toc"] if not h["href"].startswith("#")]
    assert links and not any("q=" in link for link in links)
    html = client.get(f"/p/{found['passage_id']}", query_string={"q": q}).data
    assert len(html) < 600_000


def test_side_by_side_shows_a_bounded_number_of_passages_per_report(long_report_index, monkeypatch):
    from indexer.research import compare
    from search_web import create_app

    client = create_app({"TESTING": True, "INDEX_DIR": long_report_index}).test_client()
    page = client.get("/compare.json", query_string={"q": "执法", "category": "其他"}).json
    long_one = max(page["reports"], key=lambda r: r["passages_total"])
    assert long_one["passages_total"] > compare.MAX_COLUMN_PASSAGES
    assert len(long_one["passages"]) == compare.MAX_COLUMN_PASSAGES
    assert all(p["matched"] for p in long_one["passages"])       # the matching ones first


def test_a_file_of_a_million_tiny_lines_is_skipped_before_cleaning(tmp_path):
    path = tmp_path / "million.txt"
    path.write_text("某局2023年法治政府建设情况报告\n\n" + "\n\n".join(f"第{n}条" for n in range(150_000)),
                    encoding="utf-8")
    started = time.perf_counter()
    with pytest.raises(ReadError, match="lines"):
        read_report(path)
    assert time.perf_counter() - started < 5         # cleaning it took 40 µs a line
