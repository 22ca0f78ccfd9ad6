"""Paging is exact: walking every page of a search, at any page size and for
either sort, gives every hit of the result set exactly once, in one order.

Checked on an index over all of ../shared, where ties are common enough that
an order cut differently per page size loses passages (the samples never show it)."""
from __future__ import annotations

import pytest

from indexer.search import open_index

TERMS = ["经济", "的", "法治政府", "执法 监督", "营商环境", ""]


@pytest.fixture(scope="module")
def index(opened_shared_index):
    return opened_shared_index


def walk(index, q: str, sort: str, per_page: int) -> list[str]:
    first = index.search(q, sort=sort, per_page=per_page)
    seen = [h["passage_id"] for h in first["hits"]]
    for page in range(2, first["pages"] + 1):
        seen += [h["passage_id"] for h in index.search(q, sort=sort, per_page=per_page, page=page)["hits"]]
    assert len(seen) == first["total"] + first["near_total"]
    # Every full match before every near miss, so the exact total is the first block.
    matches = [h["match"] for p in range(1, first["pages"] + 1)
               for h in index.search(q, sort=sort, per_page=per_page, page=p)["hits"]] if first["near_total"] else []
    assert matches == sorted(matches)          # "all" < "near"
    return seen


def containing(index, text: str) -> set[str]:
    """Ground truth for one word: passages whose normalized text contains it."""
    gen = index.generation
    return {gen.passage_id(seq) for seq, norm in enumerate(gen.norm) if text in norm}


@pytest.mark.parametrize("sort", ["relevance", "date", "date_asc"])
@pytest.mark.parametrize("q", TERMS)
def test_every_page_size_walks_one_order_with_each_hit_once(index, q, sort):
    by_ten = walk(index, q, sort, 10)
    by_hundred = walk(index, q, sort, 100)
    assert len(set(by_ten)) == len(by_ten)
    assert by_ten == by_hundred == index.all_ids(q, sort=sort)


@pytest.mark.parametrize("q", ["经济", "的", "营商环境"])
def test_the_walk_equals_the_passages_holding_the_word(index, q):
    truth = containing(index, q)
    assert len(truth) > 30
    assert set(walk(index, q, "relevance", 100)) == truth


def test_date_order_is_newest_first_with_undated_reports_last(index):
    gen = index.generation
    dates = {r["id"]: (bool(r["date"]), r["date"] or "", r["year"] or 0) for r in gen.reports}
    keys = [dates[pid.rsplit("-", 1)[0]] for pid in index.all_ids("经济", sort="date")]
    assert keys == sorted(keys, reverse=True)
    assert keys[0][0] and not keys[-1][0]


def test_oldest_first_reverses_the_dates_and_still_lists_undated_reports_last(index):
    gen = index.generation
    dates = {r["id"]: (not r["date"], r["date"] or "", r["year"] or 0) for r in gen.reports}
    ids = index.all_ids("经济", sort="date_asc")
    keys = [dates[pid.rsplit("-", 1)[0]] for pid in ids]
    assert keys == sorted(keys)
    assert not keys[0][0] and keys[-1][0]                     # dated first, oldest of them first
    assert sorted(ids) == sorted(index.all_ids("经济", sort="date"))


def test_bare_headings_rank_below_content_with_the_same_match(index):
    hits = index.search("营商环境", per_page=10)["hits"]
    assert not any(h["text"].startswith("四、构建有利于实体经济") for h in hits)
    gen = index.generation
    seq = {gen.passage_id(s): s for s in range(len(gen.norm))}
    for q in ("营商环境", "法治政府"):
        flags = [int(gen.columns["heading"][seq[pid]]) for pid in index.all_ids(q)]
        assert 0 < sum(flags) < len(flags) and flags == sorted(flags)   # every heading after all content


def test_negated_filters_exclude(index):
    every = index.search("执法")
    without = index.search("-agency:阳江 执法")
    assert without["excluded_filters"] == {"agency": ["阳江"]} and without["filters"] == {}
    assert 0 < without["total"] < every["total"]
    assert all("阳江" not in f["value"] for f in without["facets"]["agency"])
    with_yangjiang = index.search("agency:阳江 执法")["total"]
    assert without["total"] + with_yangjiang == every["total"]
    not_2020 = index.search("执法 NOT year:2020")
    assert not_2020["total"] == every["total"] - index.search("执法 year:2020")["total"]
    assert all(h["year"] != 2020 for h in not_2020["hits"])


@pytest.mark.parametrize("q, years", [("经济 year:2018-2022", range(2018, 2023)),
                                      ("经济 year:>=2021", range(2021, 2100)),
                                      ("经济 year:<2020", range(1949, 2020))])
def test_year_ranges(index, q, years):
    result = index.search(q, per_page=100)
    assert result["total"] > 0
    facet_years = {int(f["value"]) for f in index.search("经济")["facets"]["year"]}
    expected = sum(f["count"] for f in index.search("经济")["facets"]["year"] if int(f["value"]) in years)
    assert result["total"] == expected and facet_years - set(years)
    assert all(h["year"] in years for h in result["hits"])


def test_reports_total_counts_distinct_reports(index):
    result = index.search("法治政府")
    reports = {pid.rsplit("-", 1)[0] for pid in index.all_ids("法治政府")}
    assert result["reports_total"] == len(reports) < result["total"]


@pytest.mark.parametrize("per_page", [7, 50])
def test_report_groups_page_over_each_report_once(index, per_page):
    first = index.search("经济", group="report", per_page=per_page)
    groups = list(first["groups"])
    for page in range(2, first["pages"] + 1):
        groups += index.search("经济", group="report", per_page=per_page, page=page)["groups"]
    ids = index.all_ids("经济")
    assert len(groups) == first["reports_total"] == len({g["report_id"] for g in groups})
    assert sum(g["count"] for g in groups) == first["total"]
    # Each report's best passage is its first in the passage order, and reports follow it.
    firsts = {}
    for pid in ids:
        firsts.setdefault(pid.rsplit("-", 1)[0], pid)
    assert [g["best"]["passage_id"] for g in groups] == list(firsts.values())


def test_near_misses_come_after_full_matches_and_are_counted_apart(index):
    result = index.search("执法 监督", per_page=100)
    ids = index.all_ids("执法 监督")
    both = containing(index, "执法") & containing(index, "监督")
    assert result["total"] == len(both) and set(ids[:len(both)]) == both
    assert result["near_total"] == len(set(ids[len(both):])) > 0
    near = {h["passage_id"] for h in index.iter_hits("执法 监督", near=True) if h["match"] == "near"}
    assert [h["passage_id"] for h in index.iter_hits("执法 监督")] == ids[:len(both)]   # what an export takes
    assert near == containing(index, "执法") ^ containing(index, "监督")
    assert sum(f["count"] for f in result["facets"]["section"]) == result["total"]   # facets count full matches


def test_whole_run_is_counted_with_its_own_total(index):
    result = index.search("经济建设")
    assert result["whole"] == {"text": "经济建设", "count": len(containing(index, "经济建设"))}
    assert result["whole"]["count"] < result["total"]
    assert index.search("执法 监督")["whole"] is None        # typed as two words: no single run


KNOWN_ITEM_REPORT = """某区司法局2023年法治政府建设年度报告

一、主要举措和成效
（一）抓好领导干部学法
全年区委、区政府开展会前学法37次，区政府常务会议学法12次。
会前学法的次数和内容按会议纪要登记。
统计学法次数时，以会议纪要为准，各部门按季度报送学习次数。
（二）深化普法宣传
累计开展16场法治宣传活动，发放资料3000余份。
宣传活动场次安排由各街道上报，法治宣传经费纳入预算。
二、存在的不足和原因
个别部门学法流于形式。
"""


def test_a_passage_missing_one_word_still_ranks_in_the_top_three(tmp_path):
    """Known items whose words are not all in them literally: the passages holding
    every word come first, then the target, labelled as a near miss."""
    from indexer.build import build_index

    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "report.txt").write_text(KNOWN_ITEM_REPORT, encoding="utf-8")
    build_index([tmp_path / "src"], tmp_path / "index", procs=1, words=False)
    index = open_index(tmp_path / "index")
    try:
        # Quoted, a count word is literal (unquoted it also matches 37次: a full match, first).
        for q, target in [('会前学法 "次数"', "会前学法37次"), ('法治宣传活动 "场次"', "16场法治宣传活动")]:
            result = index.search(q, per_page=3)
            top = [(h["match"], target in h["text"]) for h in result["hits"]]
            assert ("near", True) in top, (q, top)
            assert result["total"] == sum(1 for m, _ in top if m == "all") > 0   # the near miss is not counted
            assert result["near_total"] > 0 and not result["partial"]
            loose = index.search(q.replace('"', ""), per_page=3)
            assert ("all", True) == (loose["hits"][0]["match"], target in loose["hits"][0]["text"]), q
    finally:
        index.close()
