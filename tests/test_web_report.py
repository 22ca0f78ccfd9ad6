"""Report pages, passage permalinks, their JSON twins and unknown ids."""
from __future__ import annotations

import re

import pytest

pytest_plugins = ["web_fixtures"]


@pytest.fixture
def hit(search_json) -> dict:
    """The best hit for 双随机: a passage known to contain the word."""
    return search_json(q="双随机")["hits"][0]


def test_report_page_has_text_contents_and_anchors(client, hit):
    report = client.get(f"/r/{hit['report_id']}.json").get_json()["report"]
    html = client.get(f"/r/{hit['report_id']}").get_data(as_text=True)
    assert report["title"] in html and report["source"] in html
    assert 'aria-labelledby="toc-title"' in html
    for passage in report["passages"]:
        assert f'id="{passage["id"]}"' in html
    for heading in report["headings"]:
        assert f'id="{heading["anchor"]}"' in html and f'href="#{heading["anchor"]}"' in html


def test_report_json_is_the_report(client, hit):
    data = client.get(f"/r/{hit['report_id']}.json").get_json()
    report = data["report"]
    assert data["ok"] is True
    assert report["id"] == hit["report_id"]
    assert {"title", "agency", "province", "year", "source", "fmt", "source_url", "headings", "passages"} <= set(report)
    assert any(p["id"] == hit["passage_id"] for p in report["passages"])


def test_report_marks_the_terms_of_the_search(client, hit):
    html = client.get(f"/r/{hit['report_id']}", query_string={"q": "双随机"}).get_data(as_text=True)
    assert "<mark>双随机</mark>" in html.replace("<mark>双</mark><mark>随机</mark>", "<mark>双随机</mark>")
    assert "已标出搜索词" in html and "返回搜索结果" in html
    plain = client.get(f"/r/{hit['report_id']}").get_data(as_text=True)
    assert "<mark>" not in plain


def test_report_survives_an_unreadable_query(client, hit):
    """An unbalanced quote is read as the library reads it (a phrase to the end);
    a query too long to search marks nothing and is not carried in the links."""
    response = client.get(f"/r/{hit['report_id']}", query_string={"q": '"双随机'})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<mark>双随机</mark>" in html and f'id="{hit["passage_id"]}"' in html
    data = client.get(f"/r/{hit['report_id']}.json", query_string={"q": "双随机 " * 200}).get_json()
    assert data["ok"] is True and data["query"] == "" and data["terms"] == []
    assert all("<mark>" not in p["html"] for p in data["report"]["passages"])
    assert len(data["report"]["passages"]) == len(client.get(f"/r/{hit['report_id']}.json").get_json()["report"]["passages"])


def test_hits_link_to_the_passage_with_the_query(client, hit):
    html = client.get("/search", query_string={"q": "双随机"}).get_data(as_text=True)
    assert f'href="/p/{hit["passage_id"]}?q=' in html


def test_passage_page_marks_and_cites_the_passage(client, hit):
    response = client.get(f"/p/{hit['passage_id']}", query_string={"q": "双随机"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    element = re.search(rf'<p id="{hit["passage_id"]}" class="([^"]*)"', html)
    assert element and "target" in element.group(1).split()
    assert "复制链接" in html and 'id="permalink"' in html
    assert f"http://localhost/p/{hit['passage_id']}" in html
    assert re.search(r'<script src="/static/report\.js[^"]*" defer></script>', html)
    assert "<mark>" in html


def test_citation_is_gbt7714_for_an_online_document(client, hit):
    import datetime as dt

    data = client.get(f"/p/{hit['passage_id']}.json").get_json()
    citation = data["citation"]
    published = hit["date"] or str(hit["year"])
    assert citation.startswith(f"{hit['agency']}. {hit['title']}[EB/OL]. ({published})"
                               f"[{dt.date.today().isoformat()}].")
    assert f"第{hit['ordinal']}段" in citation and citation.endswith(f"http://localhost/p/{hit['passage_id']}")
    if hit["section"]:
        assert hit["section"] in citation


def test_citation_gives_the_original_url_when_known(hostile_client):
    found = hostile_client.get("/search.json?q=医疗").get_json()["hits"][0]
    citation = hostile_client.get(f"/p/{found['passage_id']}.json").get_json()["citation"]
    assert "[EB/OL]" in citation and " https://www.example.gov.cn/xxgk/2022/report.html?a=1&b=2. " in citation


def test_passage_json_twin(client, hit):
    data = client.get(f"/p/{hit['passage_id']}.json").get_json()
    assert data["ok"] is True and data["focus"] == hit["passage_id"]
    assert data["passage"]["id"] == hit["passage_id"]
    assert data["report"]["id"] == hit["report_id"]
    assert data["permalink"].endswith(f"/p/{hit['passage_id']}")


@pytest.mark.parametrize("path", [
    "/r/r2022-0000000000", "/r/r2022-0000000000.json",
    "/p/r2022-0000000000-0001", "/p/r2022-0000000000-0001.json",
    "/r/r2022-0177ae4c5d-0001",            # a passage id where a report id belongs
    "/p/r2022-0177ae4c5d",                 # and the other way round
    "/p/r2022-0177ae4c5d-9999",            # a known report, no such passage
    "/r/nope", "/r/nope.json", "/p/..%2F..%2Fetc%2Fpasswd", "/r/../../etc/passwd",
    "/r/r2022-0177AE4C5D", "/nothing/here", "/search.xml",
])
def test_unknown_ids_are_404_pages(client, path):
    response = client.get(path)
    assert response.status_code == 404
    if path.endswith(".json"):
        data = response.get_json()
        assert data["ok"] is False and data["status"] == 404 and data["error"] and data["hint"]
    else:
        html = response.get_data(as_text=True)
        assert "找不到" in html or "没有" in html
        assert response.mimetype == "text/html"


def test_a_malformed_id_gets_the_library_message(client):
    """The id patterns are checked once, by the library; the web app shows its message."""
    from indexer.api import NotFound, check_passage_id, check_report_id

    for path, check, bad in [("/r/{}.json", check_report_id, "nope"), ("/p/{}.json", check_passage_id, "r2022-0177ae4c5d")]:
        with pytest.raises(NotFound) as error:
            check(bad)
        data = client.get(path.format(bad)).get_json()
        assert (data["status"], data["error"], data["hint"]) == (404, error.value.message, error.value.hint)


def test_known_sample_ids_resolve(client):
    # The ids the README and the indexer documentation use as examples.
    report = client.get("/r/r2022-0177ae4c5d")
    assert report.status_code == 200
    assert "潮州市湘桥区卫生健康局2022年法治政府建设年度报告" in report.get_data(as_text=True)
    passage = client.get("/p/r2022-0177ae4c5d-0012.json").get_json()
    assert passage["ok"] is True and passage["focus"] == "r2022-0177ae4c5d-0012"
    assert (passage["passage"]["id"], passage["passage"]["ordinal"]) == ("r2022-0177ae4c5d-0012", 12)
    assert passage["report"]["id"] == "r2022-0177ae4c5d"


def test_source_url_is_a_link_only_when_it_is_http(hostile_client):
    data = hostile_client.get("/search.json", query_string={"q": "双随机"}).get_json()
    ids = {hit["report_id"] for hit in data["hits"]}
    pages = {rid: hostile_client.get(f"/r/{rid}").get_data(as_text=True) for rid in ids}
    sample = pages.pop("r2022-0177ae4c5d", None) or hostile_client.get("/r/r2022-0177ae4c5d").get_data(as_text=True)
    assert 'href="https://www.example.gov.cn/xxgk/2022/report.html?a=1&amp;b=2"' in sample
    for html in pages.values():
        assert "javascript:alert(3)" in html           # shown, as text
        assert 'href="javascript:' not in html         # never a link
