"""indexer.analysis.fold: the per-character fast path gives exactly the definition."""
import random
import re
import unicodedata

from indexer.analysis.fold import fold, fold_exact


def _definition(text: str) -> str:
    """NFKC, whitespace removed, punctuation removed: written the slow, obvious way."""
    squashed = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    return "".join(ch for ch in squashed if not unicodedata.category(ch).startswith("P"))


def test_report_text():
    text = "一、加强组织领导（一）２０２３年，ＡＢＣ ａｂｃ：①落实“谁执法谁普法”；⑴ ㈠\u3000完成。\n\n第 1 页"
    assert fold(text) == fold_exact(text) == _definition(text)


def test_text_that_needs_the_exact_path():
    for text in ["cafe\u0301 café", "ｶﾞｷﾞ ガ", "한국어 법치", "\u1100\u1161\u11a8", "𠀀汉字", "e\u0301\u0327",
                 "\u0b47\u0b3e", "A\u030a Å"]:
        assert fold(text) == _definition(text), text


def test_random_text_against_the_definition():
    rnd = random.Random(20240501)
    interesting = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    for _ in range(3000):
        chars = []
        for _ in range(rnd.randrange(1, 30)):
            pick = rnd.random()
            if pick < 0.4:
                chars.append(chr(rnd.randrange(0x20, 0x3100)))        # Latin, marks, jamo, CJK punctuation
            elif pick < 0.5:
                chars.append(chr(rnd.randrange(0x1100, 0x1200)))      # conjoining Hangul jamo
            elif pick < 0.7:
                chars.append(chr(rnd.randrange(0xF900, 0x10000)))     # compatibility and width forms
            elif pick < 0.9:
                chars.append(chr(rnd.randrange(0x4E00, 0x9FFF)))
            else:
                chars.append(rnd.choice(interesting))
        text = "".join(chars)
        assert fold(text) == _definition(text), ascii(text)


def test_every_bmp_character_alone():
    text = [chr(c) for c in range(0x10000) if not 0xD800 <= c <= 0xDFFF]
    assert [fold(c) for c in text] == [_definition(c) for c in text]
