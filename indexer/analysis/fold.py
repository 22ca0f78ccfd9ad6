"""The folds that tell reports apart, each the one definition of its rule:

- :func:`squash`: NFKC (width forms folded), whitespace removed.  The key of a
  report id (``indexer.report.corpus.make_report_id``), so it must never change:
  no script or case folding here, or published ids would change;
- :func:`fold`: :func:`squash` with punctuation removed too.  Equal for two
  editions of the same report: the duplicate check compares these.

The matching form (script and case folded too, per character, with offsets) is
``normalize`` in ``normalize.py``; ``tests/test_normalize.py`` sets the three side
by side.

Done naively (``unicodedata.normalize`` on the whole text, then a Python loop
over ``unicodedata.category``) :func:`fold` was most of the reading time: CPython's
NFKC decomposes and recomposes every character (~120 ns each) and the loop
costs more.  But for nearly all report text NFKC works character by character:
a character whose compatibility decomposition holds only starters (combining
class 0) that never combine with a preceding character comes out of NFKC the
same whatever its neighbours (no reordering, no composition can reach across
it).  So for text made only of such characters (the BMP's CJK, Latin letters
without accents, full-width forms, punctuation) the fold is a per-character
table, applied with two regex passes.  Text with anything else (accents,
Hangul, combining marks, characters outside the BMP) takes the exact path.
Both paths give the same string; tests/test_fold.py checks them against each
other.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import tempfile
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

_BMP_END = 0x10000
# Conjoining Hangul vowels and trailing consonants compose algorithmically with
# the character before them; they are in no decomposition mapping.
_HANGUL_BACKWARD = [*range(0x1161, 0x1176), *range(0x11A8, 0x11C3)]
_SPACE = re.compile(r"\s+")


def squash(text: str) -> str:
    """``text`` after NFKC with whitespace removed: the key of a report id."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


def fold(text: str) -> str:
    """``text`` after NFKC with whitespace and punctuation (Unicode category P)
    removed."""
    tables = _tables()
    if tables.unsafe.search(text):
        return fold_exact(text)
    text = tables.dropped.sub("", text)
    return tables.changed.sub(lambda found: tables.replacement[found.group()], text)


def fold_exact(text: str) -> str:
    """The definition of :func:`fold`, for any text."""
    return _tables().dropped_after_nfkc.sub("", unicodedata.normalize("NFKC", text))


@dataclass(frozen=True)
class _Tables:
    dropped_after_nfkc: re.Pattern   # whitespace and punctuation, anywhere in Unicode
    unsafe: re.Pattern               # a character NFKC may not treat on its own
    dropped: re.Pattern              # safe characters that fold to nothing
    changed: re.Pattern              # safe characters that fold to other characters
    replacement: dict[str, str]      # ... and what they fold to


@cache
def _tables() -> _Tables:
    """Built from this Python's own unicodedata, so both paths follow the same
    Unicode version: a scan of every code point (0.3 s idle, seconds on a busy
    machine), paid by every build, update and ``inspect`` process.  So the
    tables are kept in the temp folder, keyed by the Unicode version and this
    module's source, and read back by the next process (a few ms)."""
    path = _tables_file()
    try:
        if path.stat().st_uid == os.getuid():      # never another user's file
            return _tables_from(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError, re.error):
        pass
    tables = _build_tables()
    try:
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(_tables_data(tables), out, ensure_ascii=True)
        os.replace(temp, path)
    except OSError:
        pass
    return tables


def _tables_file() -> Path:
    key = f"{unicodedata.unidata_version}|{sys.maxunicode}|".encode() + Path(__file__).read_bytes()
    return Path(tempfile.gettempdir()) / f"fazhi-fold-{hashlib.sha1(key).hexdigest()[:16]}.json"


def _tables_data(tables: _Tables) -> dict:
    return {"dropped_after_nfkc": tables.dropped_after_nfkc.pattern, "unsafe": tables.unsafe.pattern,
            "dropped": tables.dropped.pattern, "changed": tables.changed.pattern, "replacement": tables.replacement}


def _tables_from(data: dict) -> _Tables:
    return _Tables(dropped_after_nfkc=re.compile(data["dropped_after_nfkc"]), unsafe=re.compile(data["unsafe"]),
                   dropped=re.compile(data["dropped"]), changed=re.compile(data["changed"]),
                   replacement=dict(data["replacement"]))


def _build_tables() -> _Tables:
    punctuation, backward = [], set(map(chr, _HANGUL_BACKWARD))
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        if unicodedata.category(char).startswith("P"):
            punctuation.append(char)
        mapping = unicodedata.decomposition(char)
        if mapping and not mapping.startswith("<") and mapping.count(" ") == 1:
            backward.add(chr(int(mapping.split()[1], 16)))     # second half of a composition pair
    dropped_after_nfkc = re.compile(rf"[\s{_char_class(punctuation)}]+")

    unsafe, dropped, replacement = [], [], {}
    for code in range(_BMP_END):
        char = chr(code)
        decomposed = unicodedata.normalize("NFKD", char)
        if 0xD800 <= code <= 0xDFFF or any(
                unicodedata.combining(part) or part in backward for part in decomposed):
            unsafe.append(char)
            continue
        folded = dropped_after_nfkc.sub("", unicodedata.normalize("NFKC", char))
        if not folded:
            dropped.append(char)
        elif folded != char:
            replacement[char] = folded
    return _Tables(
        dropped_after_nfkc=dropped_after_nfkc,
        unsafe=re.compile(rf"[{_char_class(unsafe)}\U00010000-\U0010FFFF]"),
        dropped=re.compile(rf"[{_char_class(dropped)}]+"),
        changed=re.compile(rf"[{_char_class(list(replacement))}]"),
        replacement=replacement,
    )


def _char_class(chars: list[str]) -> str:
    """The inside of a regex character class matching ``chars`` (sorted), as ranges."""
    ranges: list[list[int]] = []
    for code in map(ord, chars):
        if ranges and code == ranges[-1][1] + 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return "".join(re.escape(chr(lo)) if lo == hi else f"{re.escape(chr(lo))}-{re.escape(chr(hi))}"
                   for lo, hi in ranges)
