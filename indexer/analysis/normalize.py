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


def normalized_char(code: int) -> str:
    """What ``normalize`` maps the code point ``code`` to (none, one or several characters)."""
    return _MAP[code]


def same_offsets(text: str, norm: str) -> bool:
    """Whether every character of ``text`` maps to exactly one of ``norm``
    (``normalize(text)``), found without a per-character map.  Only spaces and
    control/format characters map to nothing, and all but the ASCII space are
    unprintable (``str.isprintable``, a test in C; ``test_normalize`` checks
    this against the map): with none of them, no character maps to fewer than
    one, so equal lengths leave none mapping to more than one either."""
    return len(norm) == len(text) and " " not in text and text.isprintable()


def normalize_with_offsets(text: str, norm: str | None = None) -> tuple[str, Sequence[int]]:
    """``normalize(text)`` plus, for each of its characters, the index in ``text``
    of the character it came from (and one more entry: ``len(text)``).
    ``norm``: ``normalize(text)`` when the caller has it already (the index keeps
    every passage's): then the usual case costs no ``translate`` at all."""
    if norm is not None and same_offsets(text, norm):
        return norm, range(len(text) + 1)
    lengths = text.translate(_LENGTHS)
    if lengths.count("1") == len(lengths):
        # Every character maps to exactly one: offsets are the identity (a range,
        # not a list of every index), and the per-character loop below is not needed.
        return norm if norm is not None else text.translate(_MAP), range(len(text) + 1)
    pieces: list[str] = []
    offsets: list[int] = []
    for index, char in enumerate(text):
        form = _MAP[ord(char)]
        pieces.append(form)
        offsets.extend([index] * len(form))
    offsets.append(len(text))
    return "".join(pieces), offsets
