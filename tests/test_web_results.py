"""Results a researcher can count on, through the web app over ../shared:
report groups and folding, prefix filters, year ranges, errors kept in the box,
the back link from a passage."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

pytest_plugins = ["web_fixtures"]


@pytest.fixture
def client(shared_index, make_web_app):
    return make_web_app(shared_index).test_client()


def get_json(client, **params):
    response = client.get("/search.json", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_report_mode_lists_each_report_once_with_its_hits(client):
    passages = get_json(client, q="法治政府")
    reports = get_json(client, q="法治政府", group="report", per_page=100)
    assert reports["group"] == "report" and reports["total"] == passages["total"]
    groups, page = list(reports["groups"]), 1
    while len(groups) < reports["reports_total"] and page < 50:     # every page, as a reader pages
        page += 1
        groups += get_json(client, q="法治政府", group="report", per_page=100, page=page)["groups"]
    assert len(groups) == len({g["report_id"] for g in groups}) == reports["reports_total"] == passages["reports_total"]
    assert sum(g["count"] for g in groups) == passages["total"]
    group = next(g for g in reports["groups"] if g["count"] > 1)
    params = {k: v[0] for k, v in parse_qs(urlsplit(group["hits_url"]).query).items()}
    assert params.pop("report") == group["report_id"] and "group" not in params
    params["per_page"] = 100
    listed = get_json(client, **params, report=group["report_id"])
    assert listed["total"] == group["count"] and {h["report_id"] for h in listed["hits"]} == {group["report_id"]}
    assert listed["hits"][0]["passage_id"] == group["best"]["passage_id"]
    html = client.get("/search", query_string={"q": "法治政府", "group": "report"}).get_data(as_text=True)
    assert f"{group['count']} 段" in html and "按报告" in html and "来自 " in html


def test_passage_mode_folds_further_hits_of_a_report(client):
    data = get_json(client, q="经济", per_page=50)
    firsts, folded = {}, 0
    for hit in data["hits"]:
        assert hit["folded_into"] == firsts.get(hit["report_id"])
        folded += hit["folded_into"] is not None
        firsts.setdefault(hit["report_id"], hit["passage_id"])
    assert folded > 0
    html = client.get("/search", query_string={"q": "经济", "per_page": 50}).get_data(as_text=True)
    assert html.count('class="hit"') == len(firsts) and 'class="folded"' in html


def test_a_prefix_filter_marks_the_values_it_matches(client):
    data = get_json(client, q="执法", agency="阳江")
    agencies = data["facets"]["agency"]
    selected = [a for a in agencies if a["selected"]]
    assert selected and all("阳江" in a["value"] and a["count"] > 0 for a in selected)
    assert sum(a["count"] for a in selected) == data["total"]
    assert not any(a["value"] == "阳江" for a in agencies)           # no "阳江 (selected) 0"
    assert all("agency=" not in a["toggle_url"] for a in selected)  # unticking removes the part


def test_year_range_parameters_and_query(client):
    every = get_json(client, q="经济")
    counts = {int(f["value"]): f["count"] for f in every["facets"]["year"]}
    ranged = get_json(client, q="经济", year_from=2018, year_to=2022)
    assert ranged["total"] == sum(n for y, n in counts.items() if 2018 <= y <= 2022) > 0
    assert ranged["total"] == get_json(client, q="经济 year:2018-2022")["total"]
    assert get_json(client, q="经济 year:>=2021")["total"] == sum(n for y, n in counts.items() if y >= 2021)
    bars = {y["year"]: y for y in ranged["years"]}
    assert bars[2019]["selected"] and not bars[min(bars)]["selected"] and bars[2019]["count"] == counts[2019]
    html = client.get("/search", query_string={"q": "经济", "year_from": 2018, "year_to": 2022}).get_data(as_text=True)
    assert 'name="year_from"' in html and 'value="2018"' in html and 'class="years"' in html


@pytest.mark.parametrize("q", ["year:abc", "双随机 year:20x8-2022", "((((", "OR"])
def test_an_unreadable_query_stays_in_the_box_with_the_message(client, q):
    response = client.get("/search", query_string={"q": q})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    error = client.get("/search.json", query_string={"q": q}).get_json()["error"]
    assert 'id="query-error"' in html and error.split("（")[0][:10] in html
    assert 'id="q"' in html and f'value="{q}"' in html


def test_negated_filter_in_the_query_excludes(client):
    every = get_json(client, q="执法")["total"]
    without = get_json(client, q="-agency:阳江 执法")
    assert 0 < without["total"] < every and without["excluded_filters"] == {"agency": ["阳江"]}
    assert all("阳江" not in h["agency"] for h in without["hits"])
    html = client.get("/search", query_string={"q": "-agency:阳江 执法"}).get_data(as_text=True)
    assert "不含机构：</span>阳江" in html


def test_back_link_keeps_filters_sort_page_and_grouping(client):
    params = {"q": "营商环境", "agency": "国务院", "sort": "date", "page": "2", "group": "report", "per_page": "5"}
    data = get_json(client, **params)
    passage_url = data["groups"][0]["best"]["passage_url"]
    html = client.get(passage_url).get_data(as_text=True)
    back = html.split('class="back"><a href="')[1].split('"')[0].replace("&amp;", "&")
    assert parse_qs(urlsplit(back).query) == {k: [v] for k, v in params.items()}


def test_agency_names_link_to_a_filter(client):
    hit = next(h for h in get_json(client, q="营商环境")["hits"] if h["agency"])
    assert parse_qs(urlsplit(hit["agency_url"]).query)["agency"] == [hit["agency"]]


def test_suggestions_never_lead_to_nothing(client):
    data = get_json(client, q="营商环境 量子纠缠态", agency="国务院", province="广东")
    assert data["suggestions"]
    for suggestion in data["suggestions"]:
        query = dict(parse_qs(urlsplit(suggestion["url"]).query))
        answer = get_json(client, **{k: v for k, v in query.items()})
        assert answer["total"] > 0, suggestion


def test_the_whole_run_note_links_to_the_quoted_search(client):
    data = get_json(client, q="经济建设")
    assert data["whole"]["text"] == "经济建设" and 0 < data["whole"]["count"] < data["total"]
    quoted = get_json(client, **{k: v[0] for k, v in parse_qs(urlsplit(data["whole_url"]).query).items()})
    assert quoted["total"] == data["whole"]["count"]
    html = client.get("/search", query_string={"q": "经济建设"}).get_data(as_text=True)
    assert f"{data['whole']['count']} 段包含完整的“经济建设”" in html and "缺少其中一个词语" in html


def test_facets_come_early_in_tab_order_and_each_hit_has_one_passage_link(client):
    import re

    html = client.get("/search", query_string={"q": "营商环境", "agency": "国务院"}).get_data(as_text=True)
    assert html.index('id="facets"') < html.index('class="hits"')
    assert "autofocus" not in html          # a facet toggle does not throw focus back to the box
    for block in re.findall(r'<li class="hit[^"]*">(.*?)(?=<li class="hit|</ol>)', html, re.S):
        own = block.split('<ul class="folded"')[0]
        assert len(re.findall(r'href="/p/', own)) == 1
    assert "autofocus" in client.get("/").get_data(as_text=True)
