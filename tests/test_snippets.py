"""Snippets and marks are cut and marked in the original text.

The library gives data (``indexer.search.snippets``: a window of text and the
spans of the matches in it); ``indexer.render`` makes the HTML the JSON carries.
These tests check both, the HTML through the one render step."""
from __future__ import annotations

from indexer.render import mark_html, snippet_html
from indexer.search.snippets import SNIPPET_MAX, find_spans
from indexer.search.snippets import snippet as snippet_data


def mark(text: str, terms: list[str]) -> str:
    return mark_html(text, find_spans(text, terms))


def snippet(text: str, terms: list[str]) -> str:
    return snippet_html(snippet_data(text, terms))


def visible(html: str) -> str:
    return html.replace("<mark>", "").replace("</mark>", "").replace("…", "")


def test_marks_beyond_32768_characters():
    text = "前言。" * 20000 + "推行“双随机、一公开”监管。" + "结语。" * 10
    marked = mark(text, ["双随机"])
    assert marked.count("<mark>双随机</mark>") == 1 and len(text) > 60000
    piece = snippet(text, ["双随机"])
    assert "<mark>双随机</mark>" in piece and len(visible(piece)) <= SNIPPET_MAX


def test_snippet_window_is_cut_at_punctuation():
    text = ("一是加强组织领导，完善工作机制。" * 8) + "二是推行告知承诺制，压减证明材料。" + ("三是强化监督检查，规范执法行为。" * 8)
    piece = snippet(text, ["告知承诺制"])
    body = visible(piece)
    assert "<mark>告知承诺制</mark>" in piece
    assert 80 <= len(body) <= SNIPPET_MAX
    assert body[0] not in "，。" and body[-1] in "。；！？，"


def test_marks_width_and_space_variants_in_the_original_text():
    assert mark("２０２３ 年完成", ["2023年"]) == "<mark>２０２３ 年</mark>完成"
    assert mark("法治政府建設", ["法治政府建设"]) == "<mark>法治政府建設</mark>"


def test_everything_else_is_escaped():
    assert mark('<script>alert("双随机")</script>', ["双随机"]) == \
        '&lt;script&gt;alert(&quot;<mark>双随机</mark>&quot;)&lt;/script&gt;'


def test_overlapping_terms_give_one_mark():
    assert mark("谁执法谁普法", ["执法", "谁执法", "普法"]) == "<mark>谁执法</mark>谁<mark>普法</mark>"


def test_the_library_gives_text_and_spans_not_html():
    assert snippet_data('<b>推行双随机</b>', ["双随机"]) == {
        "text": "<b>推行双随机</b>", "spans": [[5, 8]], "cut_before": False, "cut_after": False}
    text = "前言。" * 100 + "推行“双随机、一公开”监管。" + "结语。" * 100
    data = snippet_data(text, ["双随机"])
    assert data["cut_before"] and data["cut_after"] and "<" not in data["text"]
    assert [data["text"][s:e] for s, e in data["spans"]] == ["双随机"]
    assert data["text"] in text and len(data["text"]) <= SNIPPET_MAX


def test_spans_point_at_the_original_characters():
    assert find_spans("２０２３ 年完成，2023年", ["2023年"]) == [(0, 6), (9, 14)]
    assert find_spans("无关", ["双随机"]) == [] and find_spans("双随机", []) == []
