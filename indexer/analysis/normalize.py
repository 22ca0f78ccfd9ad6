"""Normalization for matching only: the text users see is never changed.

Both the indexed passages and the query go through the same per-character map,
so a phrase matches whatever its width form (``２０２３`` / ``2023``), script
(``法治政府建設``), case or spacing (``2023 年``).  The map works character by
character (NFKC, then OpenCC Traditional→Simplified, then lower case, with
whitespace and zero-width characters dropped) so every normalized character
points back at the original character it came from: snippets are cut and marked
in the original text.

The other folds (``squash`` for report ids, ``fold`` for duplicates) are in
``fold.py``; they fold neither script nor case.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Sequence

import opencc

_T2S = opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """``text`` in Simplified script (OpenCC ``t2s`` over the whole string)."""
    return _T2S.convert(text)


class _CharMap(dict):
    """``str.translate`` table that computes and caches each character's form."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        if char.isspace() or unicodedata.category(char) in ("Cf", "Cc"):
            value = ""
        else:
            folded = unicodedata.normalize("NFKC", char)
            value = "".join(_T2S.convert(c) for c in folded).lower()
            value = "".join(c for c in value if not c.isspace())
        self[code] = value
        return value


_MAP = _CharMap()


class _LengthMap(dict):
    """``str.translate`` table: each character to a digit, the length of its form."""

    def __missing__(self, code: int) -> str:
        value = chr(ord("0") + min(len(_MAP[code]), 9))
        self[code] = value
        return value


_LENGTHS = _LengthMap()


def normalize(text: str) -> str:
    """The matching form of ``text`` (see the module docstring)."""
    return text.translate(_MAP)


def normalize_with_offsets(text: str) -> tuple[str, Sequence[int]]:
    """``normalize(text)`` plus, for each of its characters, the index in ``text``
    of the character it came from (and one more entry: ``len(text)``)."""
    lengths = text.translate(_LENGTHS)
    if lengths.count("1") == len(lengths):
        # Every character maps to exactly one: offsets are the identity (a range,
        # not a list of every index), and the per-character loop below is not needed.
        return text.translate(_MAP), range(len(text) + 1)
    pieces: list[str] = []
    offsets: list[int] = []
    for index, char in enumerate(text):
        form = _MAP[ord(char)]
        pieces.append(form)
        offsets.extend([index] * len(form))
    offsets.append(len(text))
    return "".join(pieces), offsets
