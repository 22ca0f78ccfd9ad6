"""Report pages in parts, so that every answer stays bounded.

A report of ordinary length (the real ones run 5,000–40,000 characters) is one
part and its page is unchanged.  A huge one (a 30 MB report made a 21.5 MB
page, 57 MB as JSON, and marking a query in all of it took seconds) is cut into
parts of about ``PART_CHARS`` characters at passage bounds: its page shows the
part holding the asked passage (or the first), with links to the others, and
the JSON twin the same.  A single passage longer than ``PART_CHARS`` is shown
cut, and says so.
"""
from __future__ import annotations

from werkzeug.datastructures import MultiDict

from .errors import WebError

PART_CHARS = 50_000      # characters of passage text per part: about 300 KB of HTML, 700 KB of JSON


def ranges(passages: list[dict]) -> list[tuple[int, int]]:
    """``[start, end)`` passage indexes of each part."""
    cuts, size = [0], 0
    for n, passage in enumerate(passages):
        length = min(len(passage["text"]), PART_CHARS)
        if size and size + length > PART_CHARS:
            cuts.append(n)
            size = 0
        size += length
    cuts.append(len(passages))
    return [(a, b) for a, b in zip(cuts, cuts[1:])] or [(0, 0)]


def requested(args: MultiDict) -> int | None:
    """The ``part`` parameter: None when absent."""
    raw = args.get("part", "").strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 6 or int(raw) < 1:
        raise WebError(f"参数 part 应为正整数，收到的是“{raw[:20]}”。", 400)
    return int(raw)


def choose(parts: list[tuple[int, int]], passages: list[dict], part: int | None, focus: str) -> int:
    """The index of the part to show: the one asked, else the focused passage's, else the first."""
    if part is not None:
        if part > len(parts):
            raise WebError(f"这份报告只有 {len(parts)} 部分（收到 part={part}）。", 404, "请从第 1 部分开始阅读。")
        return part - 1
    if focus:
        at = next((n for n, p in enumerate(passages) if p["id"] == focus), 0)
        return next(k for k, (a, b) in enumerate(parts) if a <= at < b or b == a)
    return 0


def part_of_ordinal(parts: list[tuple[int, int]], passages: list[dict]) -> dict[int, int]:
    """Passage ordinal → index of its part (for contents links into other parts)."""
    return {passages[n]["ordinal"]: k for k, (a, b) in enumerate(parts) for n in range(a, b)}


def capped(text: str) -> tuple[str, bool]:
    """The text to show of one passage, and whether it was cut."""
    return (text, False) if len(text) <= PART_CHARS else (text[:PART_CHARS] + "…", True)
