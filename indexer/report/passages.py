"""Split a cleaned report into passages, each with its heading path and category.

A passage is a paragraph; a very long paragraph is cut at sentence ends so a
result points at a readable unit.  Every sentence lands in exactly one passage,
and ids are the report id plus the ordinal, so the same report read again gives
the same ids.
"""
from __future__ import annotations

import re

from ..model import CATEGORY_DUTY, CATEGORY_OTHER, Heading, Passage
from ..read import ReadError
from .patterns import AGENCY_LINE, TITLE_END
from .structure import categorize, has_numbered_top_level, match_heading, settle_level

SECTION_SEPARATOR = " › "
MAX_PASSAGE = 500       # characters; longer paragraphs are cut at sentence ends
TARGET_PASSAGE = 300
# No passage is longer than this, whatever its punctuation: a sentence past it
# is cut at a clause mark, else at this many characters.  A file of unpunctuated
# lines made one 4.4-million-character passage, and every search touching it
# held a thread for minutes.  The longest passage of the bundled samples and
# ../shared (formats, realworld, real*, corpus) is 585 characters: none changes.
HARD_MAX_PASSAGE = 1000
# Per file: a report has a few hundred paragraphs (362 passages at most in
# ../shared); a file of a million tiny lines held a build for 25 minutes at 3 GB.
MAX_PARAGRAPHS = MAX_PASSAGES = 20_000
_CLAUSE_MARKS = "，、：,:）)」』”’ "
_TITLE_ZONE = 3          # paragraphs at the top that may hold title and agency
_SENTENCE = re.compile(r"[^。！？；!?;]*[。！？；!?;]+[”’」』）)]*|[^。！？；!?;]+$")


def split_passages(report_id: str, paragraphs: list[str],
                   markdown_headings: set[str] = frozenset()) -> tuple[list[Heading], list[Passage]]:
    """Headings and passages of a cleaned report.  ``markdown_headings``: lines a
    converter marked as headings; the title lines at the top are not sections."""
    if len(paragraphs) > MAX_PARAGRAPHS:
        raise ReadError(f"{len(paragraphs):,} paragraphs, more than a report has (at most {MAX_PARAGRAPHS:,})")
    headings: list[Heading] = []
    passages: list[Passage] = []
    stack: list[Heading] = []          # the open headings, outermost first
    numbered_top = has_numbered_top_level(paragraphs)
    offset = 0
    for index, paragraph in enumerate(paragraphs):
        markdown = paragraph in markdown_headings and not _is_title_line(paragraph, index)
        found = match_heading(paragraph, numbered_top, markdown)
        if found:
            heading = _open_heading(report_id, found, stack, headings, len(passages) + 1)
            headings.append(heading)
        heading_path = SECTION_SEPARATOR.join(h.title for h in stack)
        category = _category_of(stack)
        for piece in split_long(paragraph):
            ordinal = len(passages) + 1
            passages.append(Passage(
                id=f"{report_id}-{ordinal:04d}", ordinal=ordinal, text=piece, heading_path=heading_path,
                category=category, heading=bool(found and not found.inline and piece == paragraph),
                start=offset))
            offset += len(piece) + 2      # Report.text joins passages with a blank line
        if len(passages) > MAX_PASSAGES:
            raise ReadError(f"more than {MAX_PASSAGES:,} passages, more than a report has")
    return headings, passages


def _is_title_line(paragraph: str, index: int) -> bool:
    return index == 0 or (index < _TITLE_ZONE and bool(
        TITLE_END.search(paragraph) or AGENCY_LINE.match(paragraph)))


def _open_heading(report_id, found, stack, headings, next_ordinal) -> Heading:
    siblings_at_2 = _level_2_under_parent(headings, stack)
    level = settle_level(found, [h.level for h in stack], siblings_at_2)
    while stack and stack[-1].level >= level:
        stack.pop()
    category = categorize(found.title) if not stack else _category_of(stack)
    if stack and categorize(found.title) == CATEGORY_DUTY:
        category = CATEGORY_DUTY
    heading = Heading(level=level, title=found.title, category=category,
                      anchor=f"{report_id}-h{len(headings) + 1}", passage_ordinal=next_ordinal)
    stack.append(heading)
    return heading


def _level_2_under_parent(headings: list[Heading], stack: list[Heading]) -> int:
    """How many level-2 headings follow the open top-level heading (all of them
    when none is open).  One pass: looking each one up with ``headings.index``
    made a report cubic in its number of headings."""
    parent = next((h for h in reversed(stack) if h.level < 2), None)
    start = 0 if parent is None else _position(headings, parent) + 1
    return sum(1 for h in headings[start:] if h.level == 2)


def _position(headings: list[Heading], heading: Heading) -> int:
    # By identity: every heading in a report is a distinct object (anchors are unique).
    return next(n for n, h in enumerate(headings) if h is heading)


def _category_of(stack: list[Heading]) -> str:
    return stack[-1].category if stack else CATEGORY_OTHER


def split_long(paragraph: str) -> list[str]:
    """Cut a paragraph longer than MAX_PASSAGE at sentence ends into pieces of
    about TARGET_PASSAGE characters; shorter paragraphs come back whole.  No
    piece is longer than HARD_MAX_PASSAGE (``cut_hard``)."""
    if len(paragraph) <= MAX_PASSAGE:
        return [paragraph]
    pieces: list[str] = []
    current = ""
    for sentence in _SENTENCE.findall(paragraph):
        if current and len(current) + len(sentence) > TARGET_PASSAGE:
            pieces.append(current)
            current = ""
        current += sentence
    if current:
        pieces.append(current)
    pieces = [cut for piece in pieces for cut in cut_hard(piece)]
    assert "".join(pieces) == paragraph, "splitting must keep every character"
    return pieces


def cut_hard(text: str, most: int = HARD_MAX_PASSAGE) -> list[str]:
    """``text`` in pieces of at most ``most`` characters, each ending at the last
    clause mark (，、： …) in its second half, else at ``most`` characters."""
    pieces = []
    start = 0
    while len(text) - start > most:
        end = start + most
        cut = max(text.rfind(mark, start + most // 2, end) for mark in _CLAUSE_MARKS)
        end = cut + 1 if cut >= 0 else end
        pieces.append(text[start:end])
        start = end
    pieces.append(text[start:])
    return pieces
