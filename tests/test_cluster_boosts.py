"""``indexer.cluster.boosts``: the title and heading boosts in Groonga's first score.
A boost every passage gets is a constant, ours exactly (once a clause, however often
the title holds the word); the others go to the adjuster."""
from __future__ import annotations

import math

from indexer.cluster.boosts import Adjust, adjust_for
from indexer.search.rank import HEADING_BOOST, TITLE_BOOST

SCALE = 1000


def _adjust(title_share: dict, heading_share: dict, occurrences: int = 2, loose: float = 1.0) -> Adjust | None:
    clauses, idfs = [["建设"], ["执法", "监管"]], [0.5, 3.0]
    held = set(title_share) | set(heading_share)
    return adjust_for(clauses, idfs, None, 800,
                      lambda t: occurrences if t in title_share else 0,
                      lambda t: occurrences if t in heading_share else 0, SCALE,
                      lambda t: title_share.get(t, 0.0), lambda t: heading_share.get(t, 0.0), loose) if held else None


def test_a_title_word_of_every_passage_is_a_constant_once_a_clause():
    found = _adjust({"建设": 1.0}, {})          # in every title, twice in some
    assert found.expr == "" and found.constant == math.ceil(TITLE_BOOST * 0.5 * SCALE)


def test_words_some_titles_hold_go_to_the_adjuster_beside_the_constant():
    found = _adjust({"建设": 1.0, "执法": 0.4}, {"监管": 0.99})
    assert found.constant == math.ceil(TITLE_BOOST * 0.5 * SCALE)
    assert 'title_norm @ "执法"' in found.expr and 'section_norm @ "监管"' in found.expr
    assert "建设" not in found.expr


def test_a_clause_every_heading_path_holds_is_one_constant_whichever_of_its_words():
    found = _adjust({}, {"执法": 1.0, "监管": 1.0})
    assert found.expr == "" and found.constant == math.ceil(HEADING_BOOST * 3.0 * SCALE)


def test_no_boost_no_adjuster():
    assert adjust_for([["建设"]], [0.5], None, 800, lambda t: 0, lambda t: 0, SCALE) is None


def test_a_near_universal_word_is_a_constant_first_with_the_exact_adjuster_kept():
    found = _adjust({"建设": 1.0}, {"建设": 0.9, "执法": 0.4}, loose=0.85)
    assert found.loose and found.constant == math.ceil((TITLE_BOOST + HEADING_BOOST) * 0.5 * SCALE)
    assert 'section_norm @ "执法"' in found.expr and "建设" not in found.expr
    exact = found.exact
    assert not exact.loose and exact.constant == math.ceil(TITLE_BOOST * 0.5 * SCALE)
    assert 'section_norm @ "建设"' in exact.expr and 'section_norm @ "执法"' in exact.expr


def test_no_word_between_the_shares_no_second_try():
    assert _adjust({"建设": 1.0}, {"执法": 0.4}, loose=0.85) == _adjust({"建设": 1.0}, {"执法": 0.4})
    assert not _adjust({"建设": 1.0}, {"执法": 0.4}, loose=0.85).loose
    only = _adjust({}, {"建设": 0.9}, loose=0.85)          # no adjuster at all in the first try
    assert only.loose and only.expr == "" and 'section_norm @ "建设"' in only.exact.expr
