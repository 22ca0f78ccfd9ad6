"""The research tools on the web: each page, its .json twin and .csv, links to
passages and searches, errors as {"ok": false}, CSP-clean pages."""
from __future__ import annotations

import csv
import io
import re

pytest_plugins = ["web_fixtures"]


def get_json(client, url: str, status: int = 200) -> dict:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()


def test_kwic_json_lines_link_to_their_passages(client):
    page = get_json(client, "/kwic.json?q=双随机&width=10")
    assert page["ok"] and page["total"] == 9 and len(page["lines"]) == 9
    for line in page["lines"]:
        assert line["url"] == f"/p/{line['passage_id']}?q=%E5%8F%8C%E9%9A%8F%E6%9C%BA"
        passage = get_json(client, f"/p/{line['passage_id']}.json")["passage"]
        assert line["left"] + line["match"] + line["right"] in passage["text"]


def test_kwic_pages_exactly_and_exports_every_line_of_the_page(client):
    first = get_json(client, "/kwic.json?q=执法&per_page=20")
    assert first["pages"] == -(-first["total"] // 20) and first["links"]["next"]
    last = get_json(client, f"/kwic.json?q=执法&per_page=20&page={first['pages']}")
    assert len(last["lines"]) == first["total"] - 20 * (first["pages"] - 1)
    response = client.get("/kwic.csv?q=执法")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == first["total"] > 50 and {r["match"] for r in rows} == {"执法"}
    assert client.get("/kwic.csv?q=执法&page=2").get_data(as_text=True).count("\n") == 51


def test_kwic_page_renders_centred_lines_with_sort_links(client):
    html = client.get("/kwic?q=执法&sort=left").get_data(as_text=True)
    assert html.count('<td class="match">') == 50
    assert '<strong aria-current="true">左侧上下文</strong>' in html
    assert 'href="/kwic?q=%E6%89%A7%E6%B3%95&amp;sort=right"' in html
    assert "<script>" not in html


def test_trend_json_points_link_to_the_search_of_their_year(client):
    page = get_json(client, "/trend.json?q=执法&q=双随机")
    assert [s["query"] for s in page["series"]] == ["执法", "双随机"]
    for series in page["series"]:
        for point in series["points"]:
            assert point["url"].endswith(f"&year={point['year']}")
            found = get_json(client, point["url"].replace("/search?", "/search.json?"))
            assert found["total"] == point["passages"]


def test_trend_page_has_a_chart_box_fed_by_its_json_twin_and_a_table(client):
    response = client.get("/trend?q=执法")
    html = response.get_data(as_text=True)
    assert 'data-chart="trend"' in html and 'data-src="/trend.json?q=%E6%89%A7%E6%B3%95"' in html
    assert "vendor/uplot/uPlot.iife.min.js" in html and "<script>" not in html
    assert re.search(r'<th scope="row">2022</th><td class="num">3</td>', html)
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert client.get("/static/vendor/uplot/uPlot.iife.min.js").status_code == 200
    rows = list(csv.DictReader(io.StringIO(client.get("/trend.csv?q=执法").get_data(as_text=True).lstrip("\ufeff"))))
    assert {r["year"] for r in rows if not r["group"]} == {"2022", "2023", "2024"}


def test_cards_page_json_and_csv(client):
    page = get_json(client, "/cards.json")
    assert page["view"]["reports"] == 5 and len(page["cards"]) == 5
    # Grouped by agency kind once the reader gives it: the five samples are all health bureaus.
    assert page["view"]["groups"][0] == dict(page["view"]["groups"][0], value="卫生健康", reports=5)
    csv_text = client.get("/cards.csv").get_data(as_text=True)
    assert csv_text.count("\n") == 6
    html = client.get("/cards?q=双随机").get_data(as_text=True)
    assert 'data-chart="cards"' in html and html.count('href="/r/') == 2


def test_report_page_shows_its_card_and_key_terms(client):
    page = get_json(client, "/r/r2022-72de5c0895.json")
    card = page["research"]["card"]
    assert card["missing"] == [] and card["status"] == "on_time" and card["deadline"] == "2023-04-01"
    assert page["research"]["key_terms"]
    html = client.get("/r/r2022-72de5c0895").get_data(as_text=True)
    assert "报告体检" in html and "关键词：" in html


def test_passage_pages_of_one_report_find_its_key_terms_once(client, monkeypatch):
    from search_web import research_pages

    calls = []
    real = research_pages.api.key_terms
    monkeypatch.setattr(research_pages.api, "key_terms", lambda gen, text: calls.append(text) or real(gen, text))
    report = get_json(client, "/r/r2022-72de5c0895.json")["report"]
    pages = [get_json(client, f"/p/{p['id']}.json") for p in report["passages"][:3]]
    assert len(calls) == 1           # the report page filed them; its passages read them back
    words = [[t["word"] for t in page["research"]["key_terms"]] for page in pages]
    assert words[0] and words[0] == words[1] == words[2] == [t["word"] for t in report_terms(client)]
    assert all(t["url"].startswith("/search?q=") for t in pages[0]["research"]["key_terms"])


def report_terms(client) -> list[dict]:
    return get_json(client, "/r/r2022-72de5c0895.json")["research"]["key_terms"]


def test_search_links_to_the_tools_and_suggests_a_word_when_nothing_matches(client):
    page = get_json(client, "/search.json?q=双随即")
    assert page["total"] == 0 and page["did_you_mean"][0]["word"] == "双随机"
    assert page["tools"]["kwic"] == "/kwic?q=%E5%8F%8C%E9%9A%8F%E5%8D%B3"
    html = client.get("/search?q=双随即").get_data(as_text=True)
    assert "您是不是要找" in html and 'href="/search?q=%E5%8F%8C%E9%9A%8F%E6%9C%BA"' in html
    partial = get_json(client, "/search.json?q=双随即 执法")
    assert partial["partial"] and [d["word"] for d in partial["did_you_mean"]] == ["双随机"]
    assert get_json(client, "/search.json?q=执法")["did_you_mean"] == []
    completions = get_json(client, "/suggest.json?q=执法")["completions"]
    assert completions and all(c["word"].startswith("执法") for c in completions)


def test_bad_parameters_answer_400_with_a_message(client):
    for url in ("/kwic.json?q=执法&width=0", "/kwic.json?q=执法&sort=x", "/trend.json?q=1&q=2&q=3&q=4&q=5&q=6",
                "/trend.json?q=a&split=nope", "/cards.json?deadline=13-01", "/kwic.json?q=%22"):
        body = get_json(client, url, 400)
        assert body["ok"] is False and body["error"], url
    assert client.get("/kwic?q=执法&width=abc").status_code == 400
    assert client.get("/kwic.csv?q=执法&page=x").status_code == 400
    assert client.get("/kwic").status_code == 200 and client.get("/trend").status_code == 200


def test_compare_puts_the_category_of_each_report_side_by_side_with_terms_marked(client):
    page = get_json(client, "/compare.json?q=执法&category=问题")
    assert page["category"] == "存在的不足和原因" and page["filters"] == {}
    assert len(page["reports"]) == page["total"] > 1
    for report in page["reports"]:
        for passage in report["passages"]:
            assert passage["url"].startswith(f"/p/{passage['passage_id']}")
            assert ("<mark>" in passage["html"]) == passage["matched"] or not passage["matched"]
    html = client.get("/compare?q=执法&category=问题").get_data(as_text=True)
    assert html.count('<section class="column"') == page["total"] and "<mark>执法</mark>" in html
    assert get_json(client, "/compare.json?category=nope", 400)["ok"] is False


def test_did_you_mean_and_the_way_out_count_without_searching_again(client, monkeypatch):
    # Each had run a whole search (ranking, facets, snippets) per term; counts
    # suffice, and are remembered per generation.
    from indexer.search.index import Index

    searches, counts = [], []
    search, count = Index.search, Index.count
    monkeypatch.setattr(Index, "search", lambda self, *a, **k: searches.append(a) or search(self, *a, **k))
    monkeypatch.setattr(Index, "count", lambda self, *a, **k: counts.append(a) or count(self, *a, **k))
    page = get_json(client, "/search.json?q=双随即 执法")
    assert [d["word"] for d in page["did_you_mean"]] == ["双随机"] and len(searches) == 1 and counts
    again = get_json(client, "/search.json?q=双随即 执法")
    assert {**again, "took_ms": 0} == {**page, "took_ms": 0}
    assert len(searches) == 2 and len(counts) == len(set(counts))      # the second page counted nothing anew


def test_a_server_files_the_vocabulary_in_the_background_when_it_loads(web_index):
    import threading

    from indexer.research import words
    from search_web import create_app

    app = create_app({"TESTING": True, "INDEX_DIR": web_index, "WARM_WORDS": True})
    try:
        assert app.test_client().get("/search.json?q=执法").status_code == 200
        for thread in threading.enumerate():
            if thread.name == "fazhi-warm-words":
                thread.join(60)
        assert app.extensions["fazhi_index"].get(refresh=False).generation in words._neighbours
        assert get_json(app.test_client(), "/search.json?q=双随即")["did_you_mean"][0]["word"] == "双随机"
    finally:
        app.extensions["fazhi_index"].close()


def test_every_query_box_takes_the_librarys_longest_query_and_one_label(client):
    """The query boxes' maxlength is ``MAX_QUERY`` (defined once, in the library),
    and the two tools narrowing reports by words say it the same way."""
    from indexer.api import MAX_QUERY

    boxes = {}
    for url in ("/", "/search?q=执法", "/kwic?q=执法", "/trend?q=执法", "/cards", "/compare"):
        html = client.get(url).get_data(as_text=True)
        lengths = re.findall(r'<input[^>]*type="search"[^>]*maxlength="([^"]*)"', html)
        assert lengths and set(lengths) == {str(MAX_QUERY)}, (url, lengths)
        boxes[url] = re.findall(r'id="q"[^>]*placeholder="([^"]*)"', html)
    assert boxes["/cards"] == boxes["/compare"] and boxes["/cards"][0]
