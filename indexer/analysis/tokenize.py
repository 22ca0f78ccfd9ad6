"""The Whoosh tokenizer of jieba's words (jieba itself: ``jieba_words``).

``JiebaTokenizer`` is a Whoosh tokenizer whose token positions are word
ordinals, not character offsets: jieba's own ``ChineseAnalyzer`` puts character
offsets in ``pos``, which breaks Whoosh phrase queries.  Text is normalized for
matching first (width, script, case, spacing), so ``2023 年`` and ``2023年``
give the same tokens; ``startchar``/``endchar`` still point into the original.
"""
from __future__ import annotations

from whoosh.analysis import Token, Tokenizer

from .jieba_words import USER_DICT, cut, is_word, segmenter, segmenter_for  # noqa: F401  (here too: the tokenizer's module)
from .normalize import normalize, normalize_with_offsets


class JiebaTokenizer(Tokenizer):
    """Whoosh tokenizer: normalized jieba words with ordinal positions."""

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, tokenize=True,
                 mode="", **kwargs):
        # Offsets cost a Python loop per character: only when Whoosh asks for them.
        norm, offsets = normalize_with_offsets(value) if chars else (normalize(value), None)
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        position = start_pos
        at = 0
        for word in segmenter_for(len(norm)).cut(norm, HMM=False):
            begin, at = at, at + len(word)
            if not is_word(word):
                continue
            token.text = token.original = word
            token.boost = 1.0
            token.stopped = False
            if positions:
                token.pos = position
            if chars:
                token.startchar = start_char + offsets[begin]
                token.endchar = start_char + offsets[at - 1] + 1
            position += 1
            yield token
