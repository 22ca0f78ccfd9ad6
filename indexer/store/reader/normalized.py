"""Normalized passage texts made from the display texts when asked, instead of
held in memory: a province's archive (1.3 M passages) held 700 MB of them as
Python strings, more than the whole server may use.

``normalize`` maps character by character (``analysis.normalize``); almost every
character maps to one character, so a passage is normalized here through a
table of code points (numpy: encode, look up, decode) rather than
``str.translate`` calling the map once per character, several times faster.  A
passage holding a character of another kind (one that maps to nothing or to
several characters: spaces, ``①``) is normalized by ``normalize`` itself; the
table is filled from the very same map, so both give the same text.
"""
from __future__ import annotations

import threading

import numpy as np

from ...analysis import normalize
from ...analysis.normalize import normalized_char

_UNKNOWN = np.uint32(0xFFFFFFFF)     # not looked up yet
_OTHER = np.uint32(0xFFFFFFFE)       # maps to no character or to several


class CharTable:
    """Each code point's one-character normalized form, learnt as met (4.4 MB)."""

    def __init__(self):
        self.table = np.full(0x110000, _UNKNOWN, dtype=np.uint32)
        self._lock = threading.Lock()

    def normalize(self, text: str) -> str:
        """``normalize(text)``."""
        try:
            codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
        except UnicodeEncodeError:          # a lone surrogate
            return normalize(text)
        mapped = self.table[codes]
        if (mapped >= _OTHER).any():
            if (mapped == _UNKNOWN).any():
                self._learn(np.unique(codes[mapped == _UNKNOWN]))
                mapped = self.table[codes]
            if (mapped == _OTHER).any():
                return normalize(text)
        return mapped.tobytes().decode("utf-32-le")

    def normalize_many(self, texts: list[str]) -> list[str]:
        """``[normalize(t) for t in texts]``, looked up in one pass over them all."""
        if len(texts) < 2:
            return [self.normalize(t) for t in texts]
        try:
            codes = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32)
        except UnicodeEncodeError:
            return [self.normalize(t) for t in texts]
        mapped = self.table[codes]
        if (mapped == _UNKNOWN).any():
            self._learn(np.unique(codes[mapped == _UNKNOWN]))
            mapped = self.table[codes]
        joined = mapped.tobytes().decode("utf-32-le", errors="replace")  # the OTHER marks: replaced, not used
        ends = np.cumsum([len(t) for t in texts]).tolist()
        other = np.flatnonzero(mapped == _OTHER)
        # Texts holding a character of another kind are normalized on their own.
        redo = set(np.searchsorted(ends, other, side="right").tolist()) if len(other) else set()
        out, start = [], 0
        for n, (text, end) in enumerate(zip(texts, ends)):
            out.append(normalize(text) if n in redo else joined[start:end])
            start = end
        return out

    def _learn(self, codes: np.ndarray) -> None:
        with self._lock:
            for code in codes.tolist():
                form = normalized_char(code)
                self.table[code] = ord(form) if len(form) == 1 else _OTHER


_TABLE: CharTable | None = None


def char_table() -> CharTable:
    """The process's one table (made on first use)."""
    global _TABLE
    if _TABLE is None:
        _TABLE = CharTable()
    return _TABLE


class NormalizedRows:
    """Passages' normalized texts by passage number, each made from its display
    text when asked: the same text the build normalized (``segment.normalize_and_post``).
    ``read_all``: once a tenth of the passages were asked for (a report card of
    every report, a concordance of a common word), the stored texts are read all
    at once (normalizing a passage costs several times reading one); None (a
    server over an archive too large to hold them): never."""

    AT_LEAST = 1000      # passages made one by one, whatever the size of the index

    def __init__(self, texts, count: int, read_all=None):
        self.texts, self.count, self._read_all = texts, count, read_all
        self._asked, self._all = 0, None
        self._normalize = char_table().normalize

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, seq):
        """One passage's normalized text; an array of passage numbers gives a list
        of them (as the preloaded array's fancy indexing gives an array)."""
        if isinstance(seq, np.ndarray):
            if self._all is None and self._read_all is None:
                return char_table().normalize_many([self.texts[int(one) % self.count] for one in seq.tolist()])
            return [self[int(one)] for one in seq]
        if not -self.count <= seq < self.count:
            raise IndexError(seq)
        if self._all is None:
            if self._read_all is None:
                return self._normalize(self.texts[int(seq) % self.count])
            self._asked += 1
            if self._asked <= max(self.AT_LEAST, self.count // 10):
                return self._normalize(self.texts[int(seq) % self.count])
            self._all = self._read_all()
        return self._all[seq]

    def __iter__(self):
        return (self[seq] for seq in range(self.count))
