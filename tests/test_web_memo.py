"""search_web.memo: answers remembered per generation, bounded, gone with it."""
from __future__ import annotations

import gc

from search_web import memo

pytest_plugins = ["web_fixtures"]


class Generation:
    """Stands in for an index generation: memo only needs it weakly referenceable."""


def test_an_answer_is_computed_once_per_generation_and_key():
    gen, other, calls = Generation(), Generation(), []

    def compute(value):
        return lambda: calls.append(value) or value

    assert memo.remembered(gen, "t", "a", compute(1)) == 1
    assert memo.remembered(gen, "t", "a", compute(2)) == 1          # remembered, not recomputed
    assert memo.remembered(gen, "u", "a", compute(3)) == 3          # another table
    assert memo.remembered(other, "t", "a", compute(4)) == 4        # another generation
    assert calls == [1, 3, 4]


def test_a_table_keeps_its_most_recently_used_entries(monkeypatch):
    monkeypatch.setattr(memo, "MAX_ENTRIES", 3)
    gen, calls = Generation(), []
    for key in ("a", "b", "c"):
        memo.remembered(gen, "t", key, lambda key=key: calls.append(key) or key)
    memo.remembered(gen, "t", "a", lambda: calls.append("a again"))   # used: kept
    memo.remembered(gen, "t", "d", lambda: calls.append("d") or "d")  # "b" goes
    memo.remembered(gen, "t", "a", lambda: calls.append("a again"))
    memo.remembered(gen, "t", "b", lambda: calls.append("b again") or "b")
    assert calls == ["a", "b", "c", "d", "b again"]


def test_a_generation_takes_its_answers_with_it():
    gen = Generation()
    memo.remembered(gen, "t", "a", lambda: "x" * 1000)
    assert gen in memo._tables
    del gen
    gc.collect()
    assert not any(isinstance(g, Generation) for g in list(memo._tables))


def test_counts_on_a_real_index_match_the_library(app):
    from search_web.index import get_index

    with app.app_context():
        index = get_index()
        for q, filters in (("依法行政", None), ("“双随机”", {"year": ["2022"]}), ("没有这样的词语组合", None)):
            assert memo.count(index, q, filters) == index.count(q, filters) == memo.count(index, q, filters)
