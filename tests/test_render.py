"""The one render step (``indexer.render``): the library's data as HTML, text and
the JSON of ``indexer search --json`` and ``/search.json``."""
from __future__ import annotations

from indexer.render import (
    hit,
    mark_html,
    mark_text,
    passage_url,
    result,
    snippet_html,
    snippet_text,
)

SNIPPET = {"text": '推行"双随机"<b>监管</b>', "spans": [[3, 6]], "cut_before": True, "cut_after": False}


def test_marks_in_html_escape_everything_else():
    assert mark_html('<script>alert("双随机")</script>', [[15, 18]]) == \
        '&lt;script&gt;alert(&quot;<mark>双随机</mark>&quot;)&lt;/script&gt;'
    assert mark_html("a & b", []) == "a &amp; b"


def test_marks_in_text_are_brackets_and_nothing_is_escaped():
    assert mark_text("谁执法谁普法", [[0, 3], [4, 6]]) == "[谁执法]谁[普法]"
    assert mark_text("<b>执法</b>", [[3, 5]], "«", "»") == "<b>«执法»</b>"


def test_snippets_get_ellipses_where_the_passage_goes_on():
    assert snippet_html(SNIPPET) == "…推行&quot;<mark>双随机</mark>&quot;&lt;b&gt;监管&lt;/b&gt;"
    assert snippet_text(SNIPPET) == '…推行"[双随机]"<b>监管</b>'
    assert snippet_text(dict(SNIPPET, cut_before=False, cut_after=True)) == '推行"[双随机]"<b>监管</b>…'


def test_a_hit_keeps_its_keys_and_order_and_gains_the_url():
    data = {"passage_id": "r2022-0177ae4c5d-0012", "report_id": "r2022-0177ae4c5d", "text": "全文",
            "snippet": SNIPPET, "ordinal": 12}
    shown = hit(data)
    assert list(shown) == list(data) + ["url"]
    assert shown["snippet"] == snippet_html(SNIPPET)
    assert shown["url"] == passage_url("r2022-0177ae4c5d-0012") == "/p/r2022-0177ae4c5d-0012"
    assert data["snippet"] is SNIPPET          # the library's data is not changed
    answer = {"total": 1, "hits": [data], "facets": {}}
    assert result(answer) == {"total": 1, "hits": [shown], "facets": {}}
