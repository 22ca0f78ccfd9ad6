"""Counts that say what they count (issue 22): every facet has a 未注明 bucket
(value "") for the reports without that value, so its counts add up to the
total — of passages, or of reports in report view; the bucket filters for
those reports (``agency=`` on the web, ``-agency:*`` in the query); and one
body's names with and without 中华人民共和国 are one value.  On ../shared."""
from __future__ import annotations

import pytest

from indexer.search.facets import agency_key

pytest_plugins = ["web_fixtures"]

REPORT_FIELDS = ("agency", "agency_kind", "agency_level", "province", "year")
QUERIES = ("", "营商环境", "执法", "双随机")


@pytest.fixture(scope="module")
def index(shared_index):
    from indexer.api import open_index

    opened = open_index(shared_index)
    yield opened
    opened.close()


@pytest.mark.parametrize("q", QUERIES)
def test_each_facet_adds_up_to_the_total_in_both_views(index, q):
    for group, total_key in (("passage", "total"), ("report", "reports_total")):
        result = index.search(q, group=group)
        # Section and copied are the passage's: a report has several, so only passages add up.
        fields = REPORT_FIELDS + (("section", "copied") if group == "passage" else ())
        for field in fields:
            counts = result["facets"][field]
            assert sum(c["count"] for c in counts) == result[total_key], (q, group, field)


def test_the_missing_bucket_filters_for_the_reports_without_the_value(index):
    every = index.search("")
    for field in ("agency", "agency_kind", "province"):       # every report in ../shared has a year
        bucket = next((c["count"] for c in every["facets"][field] if c["value"] == ""), 0)
        assert bucket, f"../shared has reports without {field}: the test needs some"
        assert index.count("", {field: [""]}) == bucket
        assert index.count(f"-{field}:*") == bucket
        assert index.count(f"{field}:*") == every["total"] - bucket
        hits = index.search(f"-{field}:*", per_page=20)["hits"]
        assert hits and all(not hit.get(field) for hit in hits)


def test_report_view_facets_count_reports(index):
    reports = index.search("执法", group="report", per_page=100)
    by_agency = {c["value"]: c["count"] for c in reports["facets"]["agency"]}
    listed = index.search("执法", filters={"agency": ["国务院"]}, group="report")
    assert by_agency.get("国务院", 0) == listed["reports_total"]


def test_a_bodys_names_are_one_facet_value(index):
    import numpy as np

    gen = index.generation
    names = gen.vocab["agency"]
    keys: dict[str, list[str]] = {}
    for name in names:
        keys.setdefault(agency_key(name), []).append(name)
    merged = [group for group in keys.values() if len(group) > 1]
    assert merged, "../shared holds 自然资源部 and 中华人民共和国自然资源部"
    facet = {c["value"]: c["count"] for c in index.search("")["facets"]["agency"]}
    for group in merged:
        shown = max(group, key=len)          # the full, official name
        assert set(facet) & set(group) == {shown}, group
        passages = int(np.isin(gen.columns["agency"], [names.index(n) for n in group]).sum())
        assert facet[shown] == passages
        assert all(index.count("", {"agency": [name]}) == passages for name in group)


def test_agency_key_is_a_rule_not_a_list():
    assert agency_key("中华人民共和国自然资源部") == agency_key("自然资源部") == "自然资源部"
    assert agency_key("中华人民共和国 司法部") == agency_key("司法部")
    assert agency_key("广东省自然资源厅") != agency_key("自然资源部")
    assert agency_key("中华人民共和国") == "中华人民共和国"


def test_the_web_missing_bucket_is_a_link_and_says_its_unit(shared_index, make_web_app):
    client = make_web_app(shared_index).test_client()
    page = client.get("/search.json?q=执法").get_json()
    bucket = next(item for item in page["facets"]["agency"] if item["value"] == "")
    assert bucket["toggle_url"].endswith("agency=")
    assert client.get(bucket["toggle_url"].replace("/search?", "/search.json?")).get_json()["total"] == bucket["count"]
    html = client.get("/search?q=执法&group=report").get_data(as_text=True)
    assert "未注明" in html and "<small>份</small>" in html
    assert "<small>段</small>" in client.get("/search?q=执法").get_data(as_text=True)
    home = client.get("/").get_data(as_text=True)
    assert 'href="/reports?agency_kind="' in home or 'href="/reports?agency="' in home
