"""The search's shortcuts give the answers of the long way: cached title
lookups, top facet values, the bounded proximity rescore, reports' best passages."""
from __future__ import annotations

import numpy as np

from indexer.store.generation import Lookup


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
