"""jieba segmentation, loaded once with the domain dictionary.

``JiebaTokenizer`` is a Whoosh tokenizer whose token positions are word
ordinals, not character offsets: jieba's own ``ChineseAnalyzer`` puts character
offsets in ``pos``, which breaks Whoosh phrase queries.  Text is normalized for
matching first (width, script, case, spacing), so ``2023 年`` and ``2023年``
give the same tokens; ``startchar``/``endchar`` still point into the original.
"""
from __future__ import annotations

import logging
import threading
from pathlib import Path

import jieba
from whoosh.analysis import Token, Tokenizer

from .normalize import normalize, normalize_with_offsets

USER_DICT = Path(__file__).with_name("userdict.txt")
_lock = threading.Lock()
_ready = False


def segmenter() -> jieba.Tokenizer:
    """jieba's default tokenizer with the domain dictionary loaded (once)."""
    global _ready
    if not _ready:
        with _lock:
            if not _ready:
                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                jieba.load_userdict(str(USER_DICT))
                _ready = True
    return jieba.dt


def is_word(token: str) -> bool:
    """A token worth indexing or matching: has a letter, digit or CJK character."""
    return any(c.isalnum() for c in token)


def cut(norm_text: str) -> list[str]:
    """Words of already-normalized text (precise mode, no HMM guessing so the same
    string always splits the same way)."""
    return [w for w in segmenter().cut(norm_text, HMM=False) if is_word(w)]


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
        for word in segmenter().cut(norm, HMM=False):
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
