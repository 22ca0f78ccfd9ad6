"""The matching rule the ground truth uses: NFKC, whitespace removed.

A phrase "matches" a passage when ``norm(phrase) in norm(passage text)``; that is
what the substring scan computes and what every peer is compared against.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SPACE = re.compile(r"\s+")


def norm(text: str) -> str:
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def is_traditional(text: str) -> bool:
    """True when converting to Simplified script changes the text."""
    return _t2s().convert(text) != text
