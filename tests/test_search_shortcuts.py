"""The search's shortcuts give the answers of the long way: cached title
lookups, top facet values, the bounded proximity rescore, reports' best passages."""
from __future__ import annotations

import numpy as np
import pytest

from conftest import SAMPLES
from index_helpers import build_and_open
from indexer.store.reader.generation import Lookup


def _contains_scan(strings: list[str], terms: list[str]) -> np.ndarray:
    return np.array([float(any(t in s for t in terms)) for s in strings])


def test_lookup_answers_from_its_cache_as_from_the_strings():
    strings = ["法治政府建设年度报告", "", "卫生健康局法治政府", "政府", "年度报告"]
    lookup = Lookup(strings)
    for terms in (["政府"], ["报告", "卫生"], ["无"], ["政府"], [""], ["法治政府建设年度报告"]):
        assert lookup.contains(terms).tolist() == _contains_scan(strings, terms).tolist(), terms
    first = lookup.contains(["政府"])
    first[:] = 0.0                     # a caller's array is its own: the cache is not touched
    assert lookup.contains(["政府"]).tolist() == [1.0, 0.0, 1.0, 1.0, 0.0]
    assert lookup._holding.cache_info().hits >= 2


TEXTS = ["双随机一公开抽查", "抽查在前，双随机在后，再抽查", "双随机", "", "抽查" + "的" * 60 + "双随机",
         "ab" + "xc" + "y" * 96, "双随机抽查双随机", "的" * 2500 + "双随机抽查",
         "一公开双随机、一公开抽查一公开"]
QUERIES = ["双随机 抽查", "抽查 双随机 一公开", "双随机 OR 双 抽查", "b OR ab c", "双随机 双随机", "抽查",
           "双随机抽查", "的 抽查", "x 的 OR 抽 双随机", "双随机 OR 一公开 抽查"]


def test_window_bonuses_are_each_passages_bonus():
    """The window's spans found together give each passage's own bonus, float
    for float: OR clauses of one length and of two, a clause twice, a missing
    clause, the whole run, and a passage past the sweep's 2,000 occurrences."""
    from indexer.search.proximity import proximity_bonus, window_bonuses
    from indexer.search.query import parse_query

    for q in QUERIES:
        query = parse_query(q)
        assert window_bonuses(TEXTS, query).tolist() == [proximity_bonus(t, query) for t in TEXTS], q
        assert window_bonuses([], query).tolist() == []


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    return build_and_open([SAMPLES], tmp_path_factory.mktemp("samples") / "index")


def _reports_by_first_passage(gen, docs: np.ndarray, order: np.ndarray) -> list[int]:
    """The long way: the whole result list in order, each report at its first passage."""
    reports = gen.columns["report"][docs[order]]
    _, first = np.unique(reports, return_index=True)
    return order[np.sort(first)].tolist()


@pytest.mark.parametrize("window", [3, 200])
@pytest.mark.parametrize("sort", ["relevance", "date"])
def test_reports_in_the_order_of_their_best_passage(index, monkeypatch, window, sort):
    """Each report's best passage, found per report, and the reports in the order
    of the full sorted list, near misses and a rescore window cutting reports included."""
    from indexer.search import group, rank

    monkeypatch.setattr(rank, "RESCORE_WINDOW", window)
    monkeypatch.setattr(group, "RESCORE_WINDOW", window)
    with index.using() as gen:
        for q in ("执法", "卫生 执法 检查", "法治政府建设", "行政 OR 执法 监督", "的", "year:2022", "双随机 -抽查"):
            _, _, _, matches, _, _ = index._matched(gen, q, None)
            query = index._matched(gen, q, None)[0]
            full = rank.rank(gen, matches, query, len(matches.docs), sort)
            expected = _reports_by_first_passage(gen, matches.docs, full)
            assert group.report_order(gen, matches, query, sort).tolist() == expected, (q, sort)


def _cut_by_hand(full: dict, size: int, chosen: dict) -> dict:
    return {name: values if name == "year" else
            [f for n, f in enumerate(values) if n < size or any(v in f["value"] for v in chosen.get(name, []))]
            for name, values in full.items()}


@pytest.mark.parametrize("size", [0, 1, 2, 30])
def test_facet_size_lists_the_top_values_and_the_chosen_ones(index, size):
    """``facet_size``: each facet's first values as the full list has them, plus a
    chosen value (or every value holding a chosen part of a name) ranked below
    them; the year histogram whole; ``facet_values`` counts the full lists."""
    agencies = index.search("执法")["facets"]["agency"]
    assert len(agencies) > 2
    for filters in ({}, {"agency": [agencies[-1]["value"]]}, {"agency": ["卫生"]}, {"year": ["2022"], "section": ["成效"]}):
        full = index.search("执法", filters=filters)
        cut = index.search("执法", filters=filters, facet_size=size)
        assert cut.pop("facet_values") == {name: len(values) for name, values in full["facets"].items()}
        assert cut.pop("facets") == _cut_by_hand(full.pop("facets"), size, filters)
        assert {**cut, "took_ms": 0} == {**full, "took_ms": 0}
    chosen = index.search("执法", filters={"agency": [agencies[-1]["value"]]}, facet_size=1)["facets"]["agency"]
    assert [f["value"] for f in chosen] == [agencies[0]["value"], agencies[-1]["value"]]


def test_facet_size_is_checked(index):
    from indexer.search import SearchError

    for bad in (-1, "x"):
        with pytest.raises(SearchError):
            index.search("执法", facet_size=bad)


@pytest.mark.parametrize("sort", ["relevance", "date"])
def test_a_page_among_the_full_matches_lists_what_ranking_everything_lists(index, sort):
    """A page that ends before the near misses ranks only the full matches:
    its hits, totals and pages are those of the whole list, ranked."""
    for q in ("行政 执法", "政府 工作 推进", "执法 OR 监督 行政", "法治 培训"):
        every = index.all_ids(q, sort=sort)
        first = index.search(q, page=1, per_page=5, sort=sort)
        assert first["near_total"] > first["total"] > 10, q          # near misses, past the page
        assert [h["passage_id"] for h in first["hits"]] == every[:5]
        assert first["total"] + first["near_total"] == len(every)
        assert first["pages"] == -(-len(every) // 5)
        last = index.search(q, page=first["pages"], per_page=5, sort=sort)    # among the near misses
        assert [h["passage_id"] for h in last["hits"]] == every[(first["pages"] - 1) * 5:]
        assert all(h["match"] == "near" for h in last["hits"])
