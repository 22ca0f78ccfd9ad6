"""``indexer.cluster.texts``: the titles and heading paths a cluster client searches
for a query's terms, checked against a plain substring count over real report
titles (../shared: those two tests skip without it)."""
from __future__ import annotations

import numpy as np

from indexer.cluster.texts import Texts, title_texts

TERMS = ("法治", "政府", "建设", "年度", "报告", "2023", "的", "工作报告", "国务院", "xyz", "政府工作", "法治政府建设")


def _count(text: str, term: str) -> int:
    """Occurrences of ``term`` in ``text``, overlapping ones included."""
    return sum(text.startswith(term, i) for i in range(len(text)))


def _titles(index) -> tuple[dict, dict]:
    reports = index.list_reports()
    assert len(reports) >= 5
    return ({r["id"]: r["title"] or "" for r in reports}, {r["id"]: 1 + i % 7 for i, r in enumerate(reports)})


def test_each_question_equals_a_scan_of_every_title(opened_shared_index):
    titles, passages = _titles(opened_shared_index)
    texts = title_texts(titles, passages)
    total = sum(passages.values())
    weight = {}
    for rid, title in titles.items():
        weight[title] = weight.get(title, 0) + passages[rid]
    for term in TERMS:
        holding = {t for t in weight if term in t}
        assert {texts.texts[i] for i in texts.holding(term).tolist()} == holding, term
        assert texts.most(term) == max((_count(t, term) for t in weight), default=0), term
        assert texts.share(term, total) == sum(weight[t] for t in holding) / total, term
    assert texts.most("政府") >= 1 and texts.share("xyz", total) == 0.0


def test_clause_sets_are_the_sets_of_clauses_the_titles_hold(opened_shared_index):
    titles, passages = _titles(opened_shared_index)
    texts = title_texts(titles, passages)
    clauses = [["法治", "依法"], ["政府"], ["报告", "xyz"]]
    expected = sorted({tuple(i for i, clause in enumerate(clauses) if any(t in title for t in clause))
                       for title in set(titles.values())})
    assert texts.clause_sets(clauses) == expected
    assert len(expected) > 2          # the titles differ in what they hold: the test can fail


def test_no_text_and_an_overlapping_term():
    assert Texts({}).clause_sets([["法治"]]) == [] and Texts({}).most("法治") == 0
    texts = Texts({"哈哈哈": 2, "哈": 3, "无": 5})
    assert texts.most("哈哈") == 2 and texts.holding("哈").tolist() == [0, 1]
    assert texts.share("哈", 10) == 0.5 and np.array_equal(texts.holding("哈哈"), [0])
