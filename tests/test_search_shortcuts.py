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
