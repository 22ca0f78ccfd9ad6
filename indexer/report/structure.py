"""Find the heading tree of a cleaned report and the heading path of every paragraph.

Headings come numbered (``一、`` ``（一）`` ``(2)`` ``1.`` ``①``), unnumbered (short
lines such as ``存在问题``, ``下一步工作打算``) or inline, opening a paragraph
(``（一）加强组织领导，夯实依法行政基础。一是…``).  The level of a heading is the
rank of its numbering style, not the Markdown ``#`` count (converters get those
wrong).  Each top-level heading gets a category after what the 2019
《法治政府建设与责任落实督察工作规定》 asks an annual report to contain.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..model import (
    CATEGORY_DUTY,
    CATEGORY_MEASURES,
    CATEGORY_OTHER,
    CATEGORY_PLANS,
    CATEGORY_PROBLEMS,
)
from .patterns import CN_NUMERAL, UNNUMBERED_HEADING

_CN = CN_NUMERAL
# (pattern, level): the level is the numbering style's rank in Chinese documents.
_STYLES = [
    (re.compile(rf"^第[{_CN}]+[部分章节]\s*"), 1),
    (re.compile(rf"^[{_CN}]+\s*[、.．]\s*"), 1),
    (re.compile(rf"^[（(]\s*[{_CN}]+\s*[）)]\s*"), 2),
    (re.compile(r"^\d{1,2}\s*[.．、](?!\d)\s*"), 3),
    (re.compile(r"^[（(]\s*\d{1,2}\s*[）)]\s*"), 4),
    (re.compile(r"^[①②③④⑤⑥⑦⑧⑨⑩]\s*"), 5),
]
# All styles in one pattern, tried in the order above (the first alternative that
# matches wins, as in a loop over _STYLES), so a paragraph costs one match call.
_ANY_STYLE = re.compile("|".join(f"(?P<s{n}>{pattern.pattern})" for n, (pattern, _) in enumerate(_STYLES)))
_SENTENCE_END = re.compile(r"[。！？；!?;]")
_MAX_TITLE = 40
_UNNUMBERED_MAX = 20

_CATEGORY_RULES = [
    (re.compile(r"问题|不足|短板|差距|困难|薄弱"), CATEGORY_PROBLEMS),
    (re.compile(r"第一责任|主要负责人履行|党政主要负责人"), CATEGORY_DUTY),
    (re.compile(r"下一步|下一年|下年度|打算|安排|计划|思路|重点任务|工作目标|展望"), CATEGORY_PLANS),
    (re.compile(r"举措|成效|主要工作|工作情况|主要情况|做法|成绩|推进情况|开展情况|落实情况|工作开展"), CATEGORY_MEASURES),
]


@dataclass
class HeadingMatch:
    """A paragraph read as a heading: its level, its words and whether body text follows inline."""
    level: int
    title: str       # the heading's own words, numbering included
    inline: bool     # True when body text follows it in the same paragraph


def match_heading(paragraph: str, has_numbered_top: bool = True, markdown: bool = False) -> HeadingMatch | None:
    """The heading a paragraph is or opens, or None for plain body text.
    ``markdown``: the converter marked the line as a heading."""
    found = _ANY_STYLE.match(paragraph)
    if found:
        level = _STYLES[int(found.lastgroup[1:])][1]
        return _numbered_heading(paragraph, level, found.end())
    if markdown and len(paragraph) <= 60:
        return HeadingMatch(level=1 if not has_numbered_top else 2, title=paragraph, inline=False)
    if len(paragraph) <= _UNNUMBERED_MAX and not re.search(r"[，。；：,;:、]", paragraph) \
            and UNNUMBERED_HEADING.search(paragraph):
        return HeadingMatch(level=1 if not has_numbered_top else 2, title=paragraph, inline=False)
    return None


def _numbered_heading(paragraph: str, level: int, body_start: int) -> HeadingMatch | None:
    end = _SENTENCE_END.search(paragraph, body_start)
    if end is None:
        if len(paragraph) <= 60:
            return HeadingMatch(level, paragraph, inline=False)
        return None          # a long numbered paragraph is a list item, not a heading
    title = paragraph[:end.start()]
    if len(title) > _MAX_TITLE or end.start() <= body_start:
        return None
    rest = paragraph[end.end():].strip()
    return HeadingMatch(level, title, inline=bool(rest))


def categorize(title: str) -> str:
    """The category a heading's words point to."""
    for pattern, category in _CATEGORY_RULES:
        if pattern.search(title):
            return category
    return CATEGORY_OTHER


def settle_level(heading: HeadingMatch, open_levels: list[int], siblings_at_2: int) -> int:
    """Correct a numbering slip: ``（2）`` between ``（一）`` and ``（三）`` is the
    second level-2 heading, not a level-4 item, when no level-3 heading is open."""
    if heading.level == 4 and open_levels and max(open_levels) == 2:
        number = re.search(r"\d+", heading.title)
        if number and int(number.group()) == siblings_at_2 + 1:
            return 2
    return heading.level


def has_numbered_top_level(paragraphs: list[str]) -> bool:
    """True when a paragraph opens with a top-level heading number (``一、`` or ``第一章``-style)."""
    return any(_STYLES[1][0].match(p) or _STYLES[0][0].match(p) for p in paragraphs)
