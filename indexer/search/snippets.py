"""Snippets and match spans, found in the stored text, never from token offsets.

Matching happens on the normalized text; ``normalize_with_offsets`` maps each
match back to the original characters, so ``２０２３ 年`` is marked for the
query ``2023年`` and nothing is cut in the middle of a word.  There is no limit
on where in a text a match may be (Whoosh's fragmenters stop at 32,768
characters by default; this does not).

This is data (text and spans), not markup: ``indexer.render`` turns it into
HTML with ``<mark>`` or into text with brackets, at the edge that shows it.
"""
from __future__ import annotations

from collections import Counter

from ..analysis import normalize_with_offsets

SNIPPET_TARGET = 120       # characters around the best match
SNIPPET_MIN, SNIPPET_MAX = 80, 160
_CUTS = "。；！？，;!?,"


def find_spans(text: str, terms: list[str], norm: str | None = None) -> list[tuple[int, int]]:
    """Merged (start, end) spans of ``text`` where any of the normalized terms
    occurs; ``norm``: ``normalize(text)``, when the caller has it."""
    terms = [t for t in terms if t]
    if not terms:
        return []
    norm, offsets = normalize_with_offsets(text, norm)
    spans = []
    for term in terms:
        at = norm.find(term)
        while at >= 0:
            spans.append((offsets[at], offsets[at + len(term) - 1] + 1))
            at = norm.find(term, at + 1)
        # A count word (query.MarkTerm) also marks the numbers that answer it (37次).
        for found in term.pattern.finditer(norm) if getattr(term, "pattern", None) else ():
            spans.append((offsets[found.start()], offsets[found.end() - 1] + 1))
    return _merge(spans)


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def snippet(text: str, terms: list[str], norm: str | None = None) -> dict:
    """About 80–160 characters around the densest cluster of matches, cut at
    punctuation where possible: ``{"text": the window, "spans": [[start, end], …]
    of the matches inside it, "cut_before", "cut_after": whether the passage goes
    on before / after it}``.  A passage of at most ``SNIPPET_MAX`` characters is
    its own snippet.  ``norm``: ``normalize(text)``, when the caller has it."""
    spans = find_spans(text, terms, norm)
    start, end = (0, len(text)) if len(text) <= SNIPPET_MAX else _window(text, spans)
    inside = [[max(s, start) - start, min(e, end) - start] for s, e in spans if e > start and s < end]
    return {"text": text[start:end], "spans": inside, "cut_before": start > 0, "cut_after": end < len(text)}


def _window(text: str, spans: list[tuple[int, int]]) -> tuple[int, int]:
    """The window holding the most different matches, then the most matches,
    widened to sentence or clause ends."""
    if not spans:
        return 0, _cut_after(text, SNIPPET_TARGET)
    best = _densest(text, spans)
    begin = _cut_before(text, max(0, best - SNIPPET_TARGET // 4))
    if best - begin > SNIPPET_TARGET // 2:
        begin = max(0, best - SNIPPET_TARGET // 4)
    return begin, _cut_after(text, begin + SNIPPET_TARGET, minimum=begin + SNIPPET_MIN,
                             maximum=begin + SNIPPET_MAX, must_reach=_cluster_end(spans, best))


def _densest(text: str, spans: list[tuple[int, int]]) -> int:
    """The start of the first span opening the window of SNIPPET_TARGET characters
    that holds the most different matches, then the most matches (different
    words first: 同句(执法 培训) shows the sentence holding both).  Spans are
    merged, so sorted with their ends increasing: the spans inside the window
    opened at span ``i`` are ``i`` up to a last one that never moves back as ``i``
    moves on, so one pass with two pointers (as Whoosh's ContextFragmenter) and
    a count per word finds it; counting afresh at each span was quadratic in the
    matches."""
    best, best_key, last = spans[0][0], (0, 0), 0
    held: Counter[str] = Counter()
    for first, (start, _) in enumerate(spans):
        last = max(last, first)
        while last < len(spans) and spans[last][1] <= start + SNIPPET_TARGET:
            held[text[spans[last][0]:spans[last][1]]] += 1
            last += 1
        if (len(held), last - first) > best_key:
            best, best_key = start, (len(held), last - first)
        if last > first:                       # span ``first`` leaves the window
            word = text[start:spans[first][1]]
            held[word] -= 1
            if not held[word]:
                del held[word]
    return best


def _cluster_end(spans: list[tuple[int, int]], start: int) -> int:
    """The end of the last match of the window counted from ``start``: shown, not cut off."""
    return max(e for s, e in spans if s >= start and e <= start + SNIPPET_TARGET or s == start)


def _cut_before(text: str, at: int) -> int:
    """Start just after the punctuation mark closest before ``at`` (within 40 characters)."""
    for i in range(at, max(-1, at - 40), -1):
        if i == 0:
            return 0
        if text[i - 1] in _CUTS:
            return i
    return at


def _cut_after(text: str, at: int, minimum: int = 0, maximum: int | None = None,
               must_reach: int = 0) -> int:
    """End just after a punctuation mark near ``at``, between minimum and maximum."""
    maximum = min(len(text), maximum or at + 40)
    at = min(max(at, must_reach), len(text))
    for i in range(at, maximum):
        if text[i] in _CUTS:
            return i + 1
    for i in range(at, max(minimum, must_reach), -1):
        if text[i - 1] in _CUTS:
            return i
    return min(max(at, must_reach), len(text))
