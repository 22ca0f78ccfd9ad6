"""Bad input never ends in a 500; markup from queries and reports comes back
escaped; security headers; the index is read, reopened after a rebuild, never written."""
from __future__ import annotations

import re
import shutil

import pytest

from conftest import SAMPLES

pytest_plugins = ["web_fixtures"]

SAMPLE = "000_f7229b1349f031b6.txt"
XSS = "<script>alert(1)</script>"

BAD_QUERIES = ['"双随机', "“双随机", "双随机”", "OR", "双随机 OR", "NOT", "-", "--双随机", "*", "?", ":",
               "agency:", "year:abc", "section:不存在的章节", "((", ")", "AND OR NOT", "\\", "%", "\x00",
               "双" * 2000, "双随机 " * 300, "<>", "a:b:c", "“”", '""']


# Queries with nothing to search for: refused with a message, not every passage.
EMPTY_QUERIES = {"OR", "NOT", "-", "*", "?", ":", "agency:", "((", ")", "AND OR NOT", "\\", "%", "<>", "“”",
                 '""'}     # "\x00" is cleaned away: an empty query, which browses every passage
NOTHING_TO_SEARCH = "没有可检索的词语"
# The other odd queries the search cannot answer, and what the 400 says; every
# other one gets a reading (200).
REFUSED = {"year:abc": "年份应为四位数字", "section:不存在的章节": "没有“不存在的章节”这一部分",
           "双" * 2000: "查询过长", "双随机 " * 300: "查询过长"}


@pytest.mark.parametrize("q", BAD_QUERIES, ids=range(len(BAD_QUERIES)))
def test_bad_queries_answer_200_or_400_with_a_message(client, q):
    from markupsafe import escape

    refused = REFUSED.get(q) or (NOTHING_TO_SEARCH if q in EMPTY_QUERIES else None)
    response = client.get("/search.json", query_string={"q": q})
    data = response.get_json()
    if refused:
        assert response.status_code == 400 and data["ok"] is False
        assert refused in data["error"] and data["hint"]
    else:
        assert response.status_code == 200 and data["ok"] is True
        assert data["query"] == " ".join(q.replace("\x00", " ").split()) and data["total"] >= 0
    page = client.get("/search", query_string={"q": q})
    assert page.status_code == response.status_code
    if refused:
        # The message under the box, the query still in it (unless too long for a box).
        text = page.get_data(as_text=True)
        assert 'id="query-error"' in text and str(escape(data["error"])) in text
        if len(q) <= 500:
            assert f'value="{escape(" ".join(q.replace(chr(0), " ").split()))}"' in text


def test_a_too_long_query_is_refused_by_the_library_rule(client):
    """The web app checks the length with the library's check, message and hint."""
    from indexer.api import MAX_QUERY, SearchError, check_query

    with pytest.raises(SearchError) as error:
        check_query("法" * (MAX_QUERY + 1))
    data = client.get("/search.json", query_string={"q": "法" * (MAX_QUERY + 1)}).get_json()
    assert (data["status"], data["error"], data["hint"]) == (400, error.value.message, error.value.hint)
    assert client.get("/search.json", query_string={"q": "法" * MAX_QUERY}).status_code == 200


@pytest.mark.parametrize("params", [
    {"page": "abc"}, {"page": "0"}, {"page": "-1"}, {"page": "1e9"}, {"page": "２"},
    {"per_page": "1000"}, {"sort": "alphabetical"}, {"agency": "x" * 500},
    {"year": ["2022"] * 3 + [str(y) for y in range(1990, 2020)]},
])
def test_bad_parameters_are_400_with_a_message(client, params):
    response = client.get("/search.json", query_string=params)
    assert response.status_code == 400
    assert response.get_json()["ok"] is False and response.get_json()["error"]
    assert client.get("/search", query_string=params).status_code == 400


@pytest.mark.parametrize("params,status,says", [
    ({"year": "abc"}, 400, "年份应为四位数字"), ({"section": "乱写"}, 400, "没有“乱写”这一部分"),
    ({"agency": "不存在的机构"}, 200, None), ({"province": "<b>x</b>"}, 200, None),
])
def test_odd_filter_values_never_500(client, params, status, says):
    response = client.get("/search.json", query_string=params)
    data = response.get_json()
    assert response.status_code == status
    if says:
        assert data["ok"] is False and says in data["error"]
    else:
        assert data["total"] == 0 and data["filters"] == {key: [value] for key, value in params.items()}
    page = client.get("/search", query_string=params)
    assert page.status_code == status and "<b>x</b>" not in page.get_data(as_text=True)


def test_markup_in_the_query_is_escaped(client):
    response = client.get("/search", query_string={"q": XSS, "agency": XSS})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert XSS not in html and "<script>alert" not in html
    assert "&lt;script&gt;" in html


def test_markup_in_an_indexed_report_is_escaped(hostile_client):
    data = hostile_client.get("/search.json", query_string={"q": "执法"}).get_json()
    hostile = [hit for hit in data["hits"] if "alert" in hit["text"] or "alert" in hit["title"]]
    assert hostile, "the hostile report should be found"
    pages = ["/search?q=执法", "/search?q=alert", "/search?q=双随机", "/search",
             f"/r/{hostile[0]['report_id']}?q=执法", f"/p/{hostile[0]['passage_id']}?q=执法"]
    for path in pages:
        html = hostile_client.get(path).get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html and "<b onmouseover" not in html, path
    report = hostile_client.get(f"/r/{hostile[0]['report_id']}").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in report
    for hit in hostile:
        snippet = re.sub(r"</?mark>", "", hit["snippet"])
        assert "<" not in snippet


def test_every_page_sends_security_headers(client):
    for path in ("/", "/search.json?q=x", "/r/r2022-0177ae4c5d", "/p/nope", "/static/style.css"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"]


def test_pages_have_no_inline_script_style_or_outside_assets(client):
    for path in ("/", "/search?q=双随机", "/r/r2022-0177ae4c5d", "/p/r2022-0177ae4c5d-0012", "/p/nope"):
        html = client.get(path).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), path
        assert not re.search(r"\sstyle=|<style|\son[a-z]+=", html), path
        for url in re.findall(r'(?:src|href)="([^"]+)"', html):
            assert not re.match(r"(https?:)?//", url) or "example.gov.cn" in url, (path, url)


def test_static_assets_are_served(client):
    for name in ("style.css", "report.js", "favicon.svg"):
        assert client.get(f"/static/{name}").status_code == 200


def test_missing_index_is_a_503_page_not_a_crash(tmp_path, make_web_app):
    app = make_web_app(tmp_path / "nothing-here")
    client = app.test_client()
    response = client.get("/search", query_string={"q": "双随机"})
    assert response.status_code == 503 and "还没有建立索引" in response.get_data(as_text=True)
    assert client.get("/search.json").get_json()["ok"] is False


def test_a_rebuild_is_picked_up_without_restart(tmp_path, make_web_app):
    from indexer.build import build_index

    source, index_dir = tmp_path / "src", tmp_path / "index"
    source.mkdir()
    shutil.copy(SAMPLES / SAMPLE, source / SAMPLE)
    build_index([source], index_dir)
    client = make_web_app(index_dir).test_client()
    before = client.get("/search.json").get_json()
    assert len(before["facets"]["agency"]) == 1
    shutil.copy(SAMPLES / "002_fe0e8058e257553a.txt", source)
    build_index([source], index_dir)
    after = client.get("/search.json").get_json()
    assert len(after["facets"]["agency"]) == 2 and after["total"] > before["total"]


def test_serving_never_writes_to_the_index(app, client, web_index):
    def snapshot():
        return sorted((str(p.relative_to(web_index)), p.stat().st_mtime_ns, p.stat().st_size)
                      for p in web_index.rglob("*"))

    before = snapshot()
    for path in ("/", "/search?q=双随机", "/search.json?q=执法&sort=date", "/r/r2022-0177ae4c5d",
                 "/p/r2022-0177ae4c5d-0012?q=执法"):
        client.get(path)
    assert snapshot() == before
