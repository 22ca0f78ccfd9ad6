"""indexer.analysis: every text normalization of the project, one definition each.

Three named stages, set side by side so a change to one shows what it does to
the others:

- ``normalize`` (matching; also the benchmark's ground truth): width, script,
  case and whitespace folded, zero-width characters dropped;
- ``squash`` (the key of a report id): width and whitespace folded, nothing else;
- ``fold`` (duplicate detection): ``squash`` with punctuation removed too.
"""
from __future__ import annotations

import pytest

from indexer.analysis import normalize, normalize_with_offsets
from indexer.analysis.fold import fold, squash

# text: (normalize, squash, fold)
STAGES = {
    "２０２３ 年": ("2023年", "2023年", "2023年"),
    "法治政府建設": ("法治政府建设", "法治政府建設", "法治政府建設"),
    "ＡＢＣ abc": ("abcabc", "ABCabc", "ABCabc"),
    "“双随机、一公开”": ("“双随机、一公开”", "“双随机、一公开”", "双随机一公开"),
    "（已废止）通知！": ("(已废止)通知!", "(已废止)通知!", "已废止通知"),
    "浙江省人民政府\u3000浙江省军区\n": ("浙江省人民政府浙江省军区", "浙江省人民政府浙江省军区", "浙江省人民政府浙江省军区"),
    "零\u200b宽": ("零宽", "零\u200b宽", "零\u200b宽"),
    "①⑴㈠": ("1(1)(一)", "1(1)(一)", "11一"),
}


@pytest.mark.parametrize("text", list(STAGES))
def test_the_three_stages_side_by_side(text):
    assert (normalize(text), squash(text), fold(text)) == STAGES[text]


def test_fold_is_squash_without_punctuation():
    import unicodedata

    for text in STAGES:
        assert fold(text) == "".join(c for c in squash(text) if not unicodedata.category(c).startswith("P"))


def test_offsets_point_back_at_the_original_characters():
    text = "２０２３ 年，法治政府建設"
    norm, offsets = normalize_with_offsets(text)
    assert norm == normalize(text) == "2023年,法治政府建设"
    assert len(offsets) == len(norm) + 1 and offsets[-1] == len(text)
    assert [text[offsets[i]] for i in range(len(norm))] == list("２０２３年，法治政府建設")


def test_the_benchmark_truth_uses_the_matching_form():
    """bench/textnorm.py used to fold neither script nor case: a Traditional or
    upper-case passage was a miss there and a hit in the index."""
    from bench.textnorm import is_traditional, norm

    assert norm is normalize
    assert norm("法治政府建設 ＧＤＰ") == "法治政府建设gdp"
    assert is_traditional("法治政府建設") and not is_traditional("法治政府建设")


def test_only_unprintable_characters_and_the_space_normalize_to_nothing():
    """``same_offsets`` (a snippet's shortcut past the per-character map) holds
    only while this does, for every code point the map can see."""
    import sys

    from indexer.analysis.normalize import _MAP

    assert [c for c in map(chr, range(sys.maxunicode + 1)) if c != " " and c.isprintable() and not _MAP[ord(c)]] == []


@pytest.mark.parametrize("text", ["法治政府建設，２０２３年", "２０２３ 年", "ﬁ 年", "a\u200bﬁ", "……完成", "第⑴项\t",
                                  "", "ＧＤＰ增长"])
def test_offsets_from_a_given_normalized_text_are_the_same(text):
    """The index hands over each passage's normalized text: the answer is the
    one computed from scratch, whether the shortcut applies or not."""
    from indexer.analysis.normalize import same_offsets

    norm, offsets = normalize_with_offsets(text)
    given, given_offsets = normalize_with_offsets(text, normalize(text))
    assert (given, list(given_offsets)) == (norm, list(offsets))
    # Equal lengths are not enough: ``ﬁ`` gives two characters, the space none.
    assert not same_offsets("ﬁ 年", normalize("ﬁ 年"))
    assert same_offsets("法治，建設", normalize("法治，建設"))
