"""The "has copied passages" filter and facet (search, /reports, CLI) and the
report-card columns and filters of /reports, on a corpus made here: the same
paragraph in two reports, an unrelated one in a third; one report late, one
undated, one without 存在的不足和原因.  Ground truth is the near-duplicate
pairs themselves and the report texts written here, and the bundled samples
(which share no paragraph) for the "nothing copied" side."""
from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from index_helpers import build_and_open
from indexer.cli import main
from test_research import COPIED, REPORT, UNRELATED

pytest_plugins = ["web_fixtures"]

PROBLEMS = "二、存在的不足和原因\n执法人员业务能力有待提高。\n"
# agency → (paragraph put in, publication date, keeps 存在的不足和原因)
MADE = {"甲市司法局": (COPIED.format(n=4), "2023年3月1日", True),
        "乙县司法局": (COPIED.format(n=6), "2023年6月30日", True),
        "丙区司法局": (UNRELATED, "2023年3月1日", False),
        "丁镇人民政府": ("镇政府组织干部学习宪法和民法典，开展普法宣传活动。", "", True)}


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    folder = tmp_path_factory.mktemp("copied-filter-src")
    for n, (agency, (extra, date, problems)) in enumerate(MADE.items()):
        text = REPORT.format(agency=agency, date=date).replace("局主要负责人带头学法。", extra)
        if not problems:
            text = text.replace(PROBLEMS, "")
        (folder / f"{n}.txt").write_text(text, encoding="utf-8")
    path = tmp_path_factory.mktemp("copied-filter-index")
    index = build_and_open([folder], path)
    yield index, path
    index.close()


@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    path = tmp_path_factory.mktemp("copied-samples")
    index = build_and_open(None, path)
    yield index
    index.close()


def copied_ids(index) -> set[str]:
    """Passage ids with a near-identical passage in another report, from the pairs file."""
    gen = index.generation
    return {gen.passage_id(int(s)) for s in gen.near_duplicates.rows()}


def test_copied_filter_returns_exactly_the_passages_with_a_twin(made):
    index, _ = made
    twins = copied_ids(index)
    assert len(twins) == 2 and len({i.rsplit("-", 1)[0] for i in twins}) == 2
    assert set(index.all_ids(filters={"copied": ["yes"]})) == twins
    assert set(index.all_ids("copied:yes")) == twins == set(index.all_ids("copied:是"))
    every = set(index.all_ids())
    assert set(index.all_ids(filters={"copied": ["no"]})) == every - twins
    assert set(index.all_ids("-copied:yes")) == every - twins
    # The paragraph's words find both twins; the unrelated paragraph is not copied.
    assert set(index.all_ids("同部署 copied:yes")) == twins
    assert index.all_ids("行政复议 copied:yes") == [] and len(index.all_ids("行政复议 copied:no")) == 1
    hits = index.search("同部署")["hits"]
    assert {h["passage_id"] for h in hits if h["copied"]} == twins


def test_copied_facet_counts_equal_the_filtered_totals(made, samples):
    for index in (made[0], samples):
        for q in ("", "法治", "执法"):
            result = index.search(q)
            counts = {f["value"]: f["count"] for f in result["facets"]["copied"]}
            assert sum(counts.values()) == result["total"]
            for value in ("yes", "no"):
                assert counts.get(value, 0) == index.search(q, filters={"copied": [value]})["total"]
    # The samples share no paragraph: nothing is copied.
    assert samples.search("")["facets"]["copied"] == [{"value": "no", "count": samples.search("")["total"]}]


def test_a_bad_copied_value_is_a_search_error(made):
    from indexer.errors import SearchError

    with pytest.raises(SearchError):
        made[0].search("", filters={"copied": ["maybe"]})
    with pytest.raises(SearchError):
        made[0].search("copied:maybe")


def test_report_list_carries_the_card_columns(made):
    index, _ = made
    rows = {r["agency"]: r for r in index.list_reports()}
    assert {a: r["copied_passages"] for a, r in rows.items()} == {"甲市司法局": 1, "乙县司法局": 1,
                                                                  "丙区司法局": 0, "丁镇人民政府": 0}
    assert {a: r["timeliness"] for a, r in rows.items()} == {"甲市司法局": "on_time", "乙县司法局": "late",
                                                             "丙区司法局": "on_time", "丁镇人民政府": "unknown"}
    assert rows["乙县司法局"]["days_late"] == 90 and rows["甲市司法局"]["deadline"] == "2023-04-01"
    assert rows["丙区司法局"]["missing"] == ["存在的不足和原因"] and rows["甲市司法局"]["missing"] == []
    assert {r["timeliness"] for r in index.list_reports(deadline="07-01")} == {"on_time", "unknown"}


@pytest.mark.parametrize("filters, agencies", [
    ({"copied": ["yes"]}, {"甲市司法局", "乙县司法局"}),
    ({"copied": ["no"]}, {"丙区司法局", "丁镇人民政府"}),
    ({"missing": ["问题"]}, {"丙区司法局"}),
    ({"missing": ["存在的不足和原因"], "copied": ["yes"]}, set()),
    ({"timeliness": ["late"]}, {"乙县司法局"}),
    ({"timeliness": ["unknown", "逾期"]}, {"乙县司法局", "丁镇人民政府"}),
])
def test_report_filters_and_their_facets(made, filters, agencies):
    index, _ = made
    result = index.browse_reports(filters)
    assert {r["agency"] for r in result["reports"]} == agencies == {
        r["agency"] for r in index.list_reports()
        if all(_admits(r, key, values) for key, values in filters.items())}
    for key in filters:      # a facet counts under the other filters: its selected values add up
        others = {k: v for k, v in filters.items() if k != key}
        counts = {f["value"]: f["count"] for f in index.browse_reports(others)["facets"][key]}
        assert sum(counts.get(_code(key, v), 0) for v in filters[key]) >= result["total"]
        for value, count in counts.items():
            assert count == index.browse_reports({**others, key: [value]})["total"]


def _code(key, value):
    return {"问题": "存在的不足和原因", "逾期": "late"}.get(value, value)


def _admits(report, key, values):
    values = [_code(key, v) for v in values]
    if key == "missing":
        return bool(set(values) & set(report["missing"]))
    return report[key] in values


def test_report_copied_means_a_report_holding_a_copied_passage(made):
    index, _ = made
    holders = {index.generation.reports[int(r)]["agency"]
               for r in index.generation.columns["report"][index.generation.near_duplicates.rows()]}
    assert {r["agency"] for r in index.browse_reports({"copied": ["yes"]})["reports"]} == holders


def test_web_search_and_reports_json_and_csv(made, make_web_app):
    _, path = made
    client = make_web_app(path).test_client()
    found = client.get("/search.json", query_string={"copied": "yes"}).get_json()
    assert found["total"] == 2 and all(h["copied"] for h in found["hits"])
    facet = {f["value"]: f for f in found["facets"]["copied"]}
    assert facet["yes"]["selected"] and "toggle_url" in facet["yes"] and facet["yes"]["count"] == 2
    assert client.get("/search.json", query_string={"copied": "是"}).get_json()["total"] == 2
    page = client.get("/search", query_string={"q": "同部署"}).get_data(as_text=True)
    assert "与他报告雷同的段落" in page and page.count('class="badge copied"') == 2   # the two twins marked
    chips = client.get("/search", query_string={"q": "同部署", "copied": "yes"}).get_data(as_text=True)
    assert "与他报告雷同的段落：</span>有" in chips
    listed = client.get("/reports.json", query_string={"missing": "问题"}).get_json()
    assert [r["agency"] for r in listed["reports"]] == ["丙区司法局"]
    assert {"missing", "timeliness", "copied"} <= set(listed["facets"])
    assert {r["agency"] for r in client.get("/reports.json?copied=yes").get_json()["reports"]} == {
        "甲市司法局", "乙县司法局"}
    text = client.get("/reports.csv", query_string={"timeliness": "late"}).get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert [(r["agency"], r["timeliness"], r["days_late"], r["copied_passages"]) for r in rows] == [
        ("乙县司法局", "late", "90", "1")]
    assert {"missing", "deadline"} <= set(rows[0])
    later = client.get("/reports.json", query_string={"deadline": "07-01", "timeliness": "on_time"}).get_json()
    assert {r["agency"] for r in later["reports"]} == {"甲市司法局", "乙县司法局", "丙区司法局"}
    assert "deadline=07-01" in later["links"]["next" if later["links"]["next"] else "self"]
    assert all("deadline=07-01" in f["toggle_url"] for f in later["facets"]["copied"])
    late = client.get("/reports.csv", query_string={"deadline": "07-01", "timeliness": "late"}).get_data(as_text=True)
    assert len(list(csv.DictReader(io.StringIO(late.lstrip("\ufeff"))))) == 0
    html = client.get("/reports", query_string={"copied": "yes"}).get_data(as_text=True)
    assert "逾期（晚 90 天）" in html and "1 段与他报告雷同" in html and "次年 4 月 1 日前" in html


@pytest.mark.parametrize("url", ["/search.json?copied=maybe", "/search?copied=2", "/reports.json?copied=x",
                                 "/reports.csv?timeliness=soon", "/reports?missing=没有这一部分",
                                 "/search.json?q=copied:perhaps", "/reports.json?deadline=13-40",
                                 "/reports.csv?deadline=soon"])
def test_bad_values_are_a_400(made, make_web_app, url):
    response = make_web_app(made[1]).test_client().get(url)
    assert response.status_code == 400, response.get_data(as_text=True)[:300]


def test_cli_copied(made):
    _, path = made
    out = CliRunner().invoke(main, ["search", "同部署", "--index", str(path), "--copied", "yes", "--json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["total"] == 2
    out = CliRunner().invoke(main, ["search", "同部署", "--index", str(path), "--copied", "no", "--json"])
    assert json.loads(out.output)["total"] == 0
    out = CliRunner().invoke(main, ["cards", "--index", str(path), "--copied", "yes", "--format", "json"])
    assert out.exit_code == 0, out.output
    assert {c["agency"] for c in json.loads(out.output)} == {"甲市司法局", "乙县司法局"}
    assert CliRunner().invoke(main, ["search", "法治", "--index", str(path), "--copied", "maybe"]).exit_code == 2
