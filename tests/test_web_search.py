"""The search page and its JSON twin: hits, facets, filters, pagination, sorting."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

pytest_plugins = ["web_fixtures"]

HIT_KEYS = {"passage_id", "report_id", "title", "agency", "province", "city", "year", "date",
            "section", "category", "ordinal", "text", "snippet", "url"}
RESULT_KEYS = {"query", "total", "partial", "page", "per_page", "pages", "sort", "filters",
               "terms", "notes", "hits", "facets", "took_ms"}


def follow(client, url: str) -> dict:
    """Fetch the JSON twin of a page URL the app handed out."""
    parts = urlsplit(url)
    path = parts.path if parts.path.endswith(".json") else parts.path.rstrip("/") + ".json"
    if path in ("/.json", ".json"):
        path = "/search.json"
    response = client.get(path, query_string=parts.query)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_home_has_a_focused_search_box_and_facets(client):
    response = client.get("/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'name="q"' in html and "autofocus" in html
    assert "搜索语法" in html and "机构" in html and "章节" in html
    assert 'lang="zh-CN"' in html


def test_search_lists_marked_hits_with_links(client):
    html = client.get("/search", query_string={"q": "双随机"}).get_data(as_text=True)
    assert "<mark>" in html
    assert 'href="/p/r' in html
    assert 'value="双随机"' in html  # the box keeps the query


def test_search_json_has_the_library_shape(client, search_json):
    data = search_json(q="双随机")
    assert RESULT_KEYS <= set(data)
    assert data["ok"] is True and data["query"] == "双随机"
    assert data["total"] >= 1 and data["hits"]
    for hit in data["hits"]:
        assert HIT_KEYS <= set(hit)
        assert hit["url"] == f"/p/{hit['passage_id']}"
        assert "<mark>" in hit["snippet"]
    for key in ("agency", "province", "year", "section"):
        for item in data["facets"][key]:
            assert {"value", "count", "selected", "toggle_url"} <= set(item)


def test_search_json_matches_the_library(app, search_json):
    from indexer.search import open_index

    data = search_json(q="双随机", sort="date")
    index = open_index(app.config["INDEX_DIR"])
    try:
        direct = index.search("双随机", sort="date")
    finally:
        index.close()
    assert data["total"] == direct["total"]
    assert [h["passage_id"] for h in data["hits"]] == [h["passage_id"] for h in direct["hits"]]


def test_search_json_hits_are_the_cli_json_hits(app, search_json):
    """One render step: /search.json and ``indexer search --json`` give the same
    hits (the web adds its page links) and the same result keys."""
    import json

    from click.testing import CliRunner

    from indexer.cli import main

    app.config["BASE_URL"] = "https://fz.example"      # both give absolute URLs under one base
    data = search_json(q='双随机 "执法"', sort="date", per_page="20")
    output = CliRunner().invoke(main, ["search", '双随机 "执法"', "--index", str(app.config["INDEX_DIR"]),
                                       "--json", "--sort", "date", "--limit", "20",
                                       "--base-url", "https://fz.example/"]).output
    cli = json.loads(output)
    assert cli["hits"] and len(data["hits"]) == len(cli["hits"])
    for web_hit, cli_hit in zip(data["hits"], cli["hits"]):
        assert {key: web_hit[key] for key in cli_hit} == cli_hit
        assert set(web_hit) - set(cli_hit) == {"passage_url", "report_url", "agency_url", "folded_into"}
    for key in set(cli) - {"took_ms", "facets", "hits"}:
        assert data[key] == cli[key], key


def test_facet_toggle_adds_then_removes_a_filter(client, search_json):
    everything = search_json(q="双随机")
    item = everything["facets"]["agency"][0]
    assert item["selected"] is False
    narrowed = follow(client, item["toggle_url"])
    assert narrowed["filters"]["agency"] == [item["value"]]
    assert narrowed["total"] == item["count"]
    assert {hit["agency"] for hit in narrowed["hits"]} == {item["value"]}
    chosen = next(f for f in narrowed["facets"]["agency"] if f["value"] == item["value"])
    assert chosen["selected"] is True
    assert follow(client, chosen["toggle_url"])["total"] == everything["total"]


def test_several_values_of_one_facet_at_once(client, search_json):
    everything = search_json()
    first, second = everything["facets"]["agency"][:2]
    one = follow(client, first["toggle_url"])
    other = next(f for f in one["facets"]["agency"] if f["value"] == second["value"])
    both = follow(client, other["toggle_url"])
    assert sorted(both["filters"]["agency"]) == sorted([first["value"], second["value"]])
    assert both["total"] == first["count"] + second["count"]


def test_active_filters_are_shown_and_removable(client, search_json):
    agency = search_json()["facets"]["agency"][0]["value"]
    html = client.get("/search", query_string={"q": "执法", "agency": agency, "year": "2022"}).get_data(as_text=True)
    assert "当前筛选" in html and agency in html
    data = search_json(q="执法", agency=agency, year="2022")
    removes = {f["key"]: f["remove_url"] for f in data["active_filters"]}
    assert set(removes) == {"agency", "year"}
    assert "agency=" not in removes["agency"] and "year=2022" in removes["agency"]
    assert removes["agency"] in html.replace("&amp;", "&")


def test_section_alias_filters_by_category(search_json):
    data = search_json(section="问题")
    assert data["total"] > 0
    assert {hit["category"] for hit in data["hits"]} == {"存在的不足和原因"}
    selected = [f["value"] for f in data["facets"]["section"] if f["selected"]]
    assert selected == ["存在的不足和原因"]


def test_pagination_walks_through_all_results(client, search_json):
    first = search_json()
    assert first["pages"] > 2 and first["links"]["prev"] is None
    second = follow(client, first["links"]["next"])
    assert second["page"] == 2 and second["links"]["prev"]
    assert {h["passage_id"] for h in first["hits"]}.isdisjoint(h["passage_id"] for h in second["hits"])
    last = search_json(page=first["pages"])
    assert last["links"]["next"] is None and last["hits"]
    html = client.get("/search", query_string={"page": 2}).get_data(as_text=True)
    assert 'aria-label="分页"' in html and 'rel="prev"' in html and 'rel="next"' in html


def test_a_page_past_the_end_explains_itself(client):
    response = client.get("/search", query_string={"q": "双随机", "page": 999})
    assert response.status_code == 200
    assert "回到第 1 页" in response.get_data(as_text=True)


def test_sort_by_date_puts_newest_first(client, search_json):
    data = search_json(q="执法", sort="date", per_page=50)
    keys = [(bool(hit["date"]), hit["date"] or "", hit["year"] or 0) for hit in data["hits"]]
    assert keys == sorted(keys, reverse=True)      # dated reports newest first, undated last
    assert parse_qs(urlsplit(data["links"]["sort"]["relevance"]).query).get("sort") is None
    html = client.get("/search", query_string={"q": "执法", "sort": "date"}).get_data(as_text=True)
    assert 'name="sort" value="date"' in html  # a new query keeps the order


def test_empty_result_offers_a_way_out(client, search_json):
    agency = search_json()["facets"]["agency"][0]["value"]
    params = {"q": "量子纠缠超导体", "agency": agency}
    html = client.get("/search", query_string=params).get_data(as_text=True)
    assert "没有段落包含" in html
    assert f"去掉“机构：{agency}”" in html
    data = search_json(**params)
    assert data["total"] == 0 and data["active_filters"][0]["remove_url"]


def test_quoted_query_without_results_suggests_dropping_quotes(client, search_json):
    data = search_json(q="“双随机一公开执法不存在”")
    assert data["total"] == 0
    unquoted = [s for s in data["suggestions"] if "不加引号" in s["label"]]
    assert len(unquoted) == 1 and unquoted[0]["label"] == "不加引号搜索：双随机一公开执法不存在"
    assert follow(client, unquoted[0]["url"])["query"] == "双随机一公开执法不存在"


def test_partial_matches_are_announced(client, search_json):
    data = search_json(q="双随机 量子纠缠")
    assert data["partial"] is True and data["total"] == search_json(q="双随机")["total"] > 0
    html = client.get("/search", query_string={"q": "双随机 量子纠缠"}).get_data(as_text=True)
    assert "没有段落同时包含全部词语" in html
    whole = client.get("/search", query_string={"q": "双随机"}).get_data(as_text=True)
    assert "没有段落同时包含全部词语" not in whole


def test_a_filter_typed_in_the_query_is_removed_from_the_query(client, search_json):
    """The web app edits the query with the library's ``without_filter``: any alias,
    a full-width colon, the other words and filters kept."""
    data = search_json(q="执法 机关：阳江 year:2022")
    typed = {f["key"]: f for f in data["active_filters"] if f.get("in_query")}
    assert set(typed) == {"agency", "year"} and typed["agency"]["value"] == "阳江"
    assert follow(client, typed["agency"]["remove_url"])["query"] == "执法 year:2022"
    assert follow(client, typed["year"]["remove_url"])["query"] == "执法 机关：阳江"


def test_long_facets_list_the_largest_values_and_link_to_all(client, search_json):
    everything = search_json()
    agencies = everything["facets"]["agency"]
    assert len(agencies) == 5 and "agency" not in everything["facets_more"]
    capped = search_json(facet_size="2")
    assert [f["value"] for f in capped["facets"]["agency"]] == [f["value"] for f in agencies[:2]]
    more = capped["facets_more"]["agency"]
    assert more["values"] == 5
    assert [f["value"] for f in follow(client, more["url"])["facets"]["agency"]] == [f["value"] for f in agencies]
    # a selected value beyond the cap stays listed, ticked
    selected = search_json(facet_size="1", agency=agencies[-1]["value"])
    assert [f["value"] for f in selected["facets"]["agency"] if f["selected"]] == [agencies[-1]["value"]]
    page = client.get("/search", query_string={"facet_size": "2"}).get_data(as_text=True)
    assert 'id="facet-agency"' in page and "显示全部 5 项" in page
    assert client.get("/search.json", query_string={"facet_size": "0"}).status_code == 400


def test_facet_toggles_built_from_one_query_string_equal_toggle(app):
    # urls.togglers cuts one query string per page instead of building each
    # facet's from scratch: the URLs must be the very ones toggle() makes.
    from search_web import urls
    from search_web.params import FACET_KEYS, SearchParams

    cases = [SearchParams(), SearchParams(q="执法 监督"),
             SearchParams(q="a&b=c", filters={"agency": ["阳江", "x y"], "year": ["2022"], "section": ["问题"]},
                          page=3, sort="date", per_page=20, facet_size=50, group="report", year_from=2019),
             SearchParams(filters={"copied": ["yes"], "timeliness": ["late"]}, year_to=2023)]
    with app.test_request_context("/search"):
        for params in cases:
            togglers = urls.togglers(params)
            for key in FACET_KEYS:
                url = togglers(key)
                for value in ["2022", "阳江", "新值 &?#", *params.filters.get(key, [])]:
                    assert url(value) == urls.toggle(params, key, value), (params, key, value)


def test_links_follow_the_script_root_of_each_request(client):
    # url_for's paths are remembered per app and script root (urls._path): a
    # site mounted under a prefix links under it, and one app can serve both.
    mounted = client.get("/search.json?q=执法", environ_overrides={"SCRIPT_NAME": "/fazhi"}).get_json()
    plain = client.get("/search.json?q=执法").get_json()
    assert mounted["links"]["self"].startswith("/fazhi/search?q=") and plain["links"]["self"].startswith("/search?q=")
    assert mounted["tools"]["kwic"].startswith("/fazhi/kwic?") and plain["tools"]["kwic"].startswith("/kwic?")
    assert mounted["links"]["export"]["csv"].startswith("/fazhi/search.csv?")
    assert plain["links"]["export"]["csv"].startswith("/search.csv?")
    key = next(iter(plain["facets"]))
    assert plain["facets"][key][0]["toggle_url"].startswith("/search?")
    assert mounted["facets"][key][0]["toggle_url"].startswith("/fazhi/search?")


def test_templates_read_dict_keys_as_jinja_does(app):
    # search_web.templating skips Jinja's failing attribute try on page dicts:
    # a key, a missing key and one of dict's own names read as before.
    env = app.jinja_env
    page = {"url": "/x?a=1&b=2", "count": 3}
    assert env.from_string("{{ d.url }}|{{ d.count }}|{{ d.missing or 'none' }}").render(d=page) == \
        "/x?a=1&amp;b=2|3|none"
    assert env.from_string("{{ d.items is callable }}|{{ d.get('count') }}").render(d=page) == "True|3"


def test_the_home_page_reads_the_collection_once_per_generation(client, monkeypatch):
    from indexer.search.index import Index

    calls = []
    list_reports = Index.list_reports
    monkeypatch.setattr(Index, "list_reports", lambda self, *a, **k: calls.append(1) or list_reports(self, *a, **k))
    first, again = client.get("/search.json").get_json(), client.get("/search.json").get_json()
    assert first["collection"] == again["collection"] and first["collection"]["reports"] > 0
    assert len(calls) == 1
