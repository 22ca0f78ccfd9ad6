"""/reports (and its JSON twin and CSV): every report, with facets, sorted, paged;
and the home page's account of the collection.  Over the index of ../shared."""
from __future__ import annotations

import csv
import io

import pytest

pytest_plugins = ["web_fixtures"]


@pytest.fixture
def client(shared_index, make_web_app):
    return make_web_app(shared_index).test_client()


@pytest.fixture
def reports(shared_index):
    from indexer.search import open_index

    index = open_index(shared_index)
    yield index.generation.reports
    index.close()


def walk(client, **params) -> list[dict]:
    first = client.get("/reports.json", query_string=params).get_json()
    listed = list(first["reports"])
    for page in range(2, first["pages"] + 1):
        listed += client.get("/reports.json", query_string={**params, "page": page}).get_json()["reports"]
    return listed


def test_every_report_is_listed_once(client, reports):
    listed = walk(client)
    assert len(listed) == len(reports) > 100
    assert {r["id"] for r in listed} == {r["id"] for r in reports}
    assert sum(r["passages"] for r in listed) == client.get("/search.json").get_json()["total"]


@pytest.mark.parametrize("sort", ["date", "agency", "title"])
def test_sorted_by_date_agency_or_title(client, sort):
    listed = walk(client, sort=sort)
    if sort == "date":
        keys = [(bool(r["date"]), r["date"] or "") for r in listed]
        assert keys == sorted(keys, reverse=True) and not listed[-1]["date"]
    elif sort == "agency":
        names = [r["agency"] for r in listed if r["agency"]]
        assert names == sorted(names) and all(r["agency"] for r in listed[:len(names)])
    else:
        titles = [r["title"] for r in listed]
        assert titles == sorted(titles)


def test_filters_and_facets_count_reports(client, reports):
    data = client.get("/reports.json", query_string={"agency": "国务院"}).get_json()
    expected = [r for r in reports if "国务院" in r["agency"]]
    assert data["total"] == len(expected) > 10
    selected = [f for f in data["facets"]["agency"] if f["selected"]]
    assert selected and sum(f["count"] for f in selected) == data["total"]
    years = client.get("/reports.json", query_string={"year": "2018-2022"}).get_json()
    assert years["total"] == sum(1 for r in reports if r["year"] and 2018 <= r["year"] <= 2022)
    problems = client.get("/reports.json", query_string={"section": "问题"}).get_json()
    assert 0 < problems["total"] < len(reports)
    assert all("存在的不足和原因" in r["sections"] for r in problems["reports"])


def test_reports_csv_lists_every_report(client, reports):
    body = client.get("/reports.csv").get_data().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert {r["id"] for r in rows} == {r["id"] for r in reports}


def test_html_list_and_home_page_link_into_the_collection(client, reports):
    html = client.get("/reports").get_data(as_text=True)
    assert f"{len(reports)} 份报告" in html and 'href="/r/' in html
    home = client.get("/").get_data(as_text=True)
    assert "收录了什么" in home and 'href="/reports"' in home and 'href="/reports?year=2022"' in home
    empty = client.get("/search", query_string={"q": "\"没有这种词语的报告啊\""}).get_data(as_text=True)
    assert 'href="/reports"' in empty


def test_bad_report_parameters_are_400(client):
    assert client.get("/reports.json?sort=colour").status_code == 400
    assert client.get("/reports.json?page=0").status_code == 400
