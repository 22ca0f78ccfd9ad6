"""indexer.search.match: which passages a term matches and how often it occurs.

A term's frequency is one rule for every length (``store.format.postings.counter``):
its occurrences, overlapping ones included, capped at ``TF_MAX``.  Posted terms
(one or two characters) and verified ones (longer) count alike; before, a
longer term used ``str.count``, which skips overlaps (``000`` once in ``20000``).
"""
from __future__ import annotations

import pytest

from indexer.search.match import term_hits
from indexer.search.query import Term
from indexer.store.format import postings

TEXTS = ["2000年完成20000元", "哈哈哈哈哈", "双随机双随机抽查", "无关的文字", "0" * 300]


def overlapping(text: str, term: str) -> int:
    return sum(text.startswith(term, at) for at in range(len(text)))


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    folder = tmp_path_factory.mktemp("postings")
    builder = postings.PostingsBuilder(folder)
    builder.add(TEXTS)
    builder.save()
    found = postings.Postings(folder)
    yield found
    found.close()


@pytest.mark.parametrize("term", ["0", "00", "000", "0000", "哈哈", "哈哈哈", "双随机", "随机双随", "不存在"])
def test_every_term_counts_overlapping_occurrences(index, term):
    hits = term_hits(index, TEXTS, Term(term, term))
    expected = {n: min(overlapping(text, term), postings.TF_MAX) for n, text in enumerate(TEXTS) if term in text}
    assert dict(zip(hits.docs.tolist(), hits.tfs.tolist())) == expected


def test_short_and_long_terms_follow_the_same_rule(index):
    """``00`` is posted, ``000`` verified by substring: both count overlaps."""
    short = term_hits(index, TEXTS, Term("00", "00"))
    long = term_hits(index, TEXTS, Term("000", "000"))
    assert short.tfs.tolist()[0] == 5          # 2000 → 2, 20000 → 3
    assert long.tfs.tolist()[0] == 3           # 2000 → 1, 20000 → 2 (str.count: 1 + 1)
    assert long.tfs.tolist()[-1] == postings.TF_MAX    # 298 occurrences, capped like a posted term
