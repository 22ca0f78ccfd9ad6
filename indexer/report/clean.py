"""Clean raw text into paragraphs, keeping every sentence of the report.

Published reports reach us with the marks of their conversion: lines wrapped by a
PDF's layout, words split by page breaks (``亲\\n\\n自抓``), link words put on lines
of their own by a wiki export (``法律\\n、\\n法规``), page numbers, Word bookmarks,
Markdown markers, and a web page's navigation and footer that survived as text.

:func:`clean_text` returns the paragraphs joined by blank lines.  It never changes
the characters of a sentence (no width folding, no respacing of ``2023 年``): that
normalization happens at search time only, so users see the text as published.
"""
from __future__ import annotations

import re

from . import patterns
from .declared import is_bare_label
from .chrome import (
    holds_text,
    is_chrome_line,
    is_head_chrome,
    is_salutation,
    split_chrome_prefix,
    strip_trailing_boilerplate,
)

# Ends a paragraph: full-width and half-width sentence ends and the colon that
# closes a lead-in (``现将主要情况报告如下：``).
_TERMINAL = set("。！？；：!?;:…")
_CLOSERS = "”’」』）)】》〉\"'"
_OPENERS_OR_JOINERS = set("，、,。；;：:）)」』”’》〉】…%％")
_PAGE_NUMBER = re.compile(r"^[-—－–~～\s]*\d{1,4}[-—－–~～\s]*$|^第\s*\d+\s*页(\s*[/，,]?\s*共\s*\d+\s*页)?$")
_MARKDOWN_RULE = re.compile(r"^\s*([-*_]\s*){3,}$")
_MARKDOWN_HEADING = re.compile(r"^\s*#{1,6}\s+")
_INDENT = re.compile(r"^[\u3000\u00a0 \t]{2,}")
# Zero-width characters count as blank: a line of them alone is no paragraph.
_BLANKS = " \t\u3000\u00a0\ufeff\u200b\u200c\u200d\u2060"
_BOOKMARK = re.compile(r"\[bookmark:[^\]]*\]")
_NUMBERED = patterns.NUMBERED
_STANDALONE = (patterns.NUMBERED, patterns.UNNUMBERED_HEADING, patterns.AGENCY_LINE, patterns.DATE_LINE,
               patterns.TITLE_END, patterns.DOCUMENT_NUMBER, patterns.BRACKETED)
_TRAILING_BYLINE = re.compile(r"^(.{4,80}?)[\s\u3000]+(发布时间|发布日期|时间|日期|来源|信息来源|作者|浏览次数|点击率)\s*[:：].*$")
_DATED = re.compile(rf"(19|20)\d{{2}}\s*年|[{patterns.CN_YEAR_DIGITS}]{{4}}\s*年")
# ``…年度报告（2023年度）``: a title with its year after it still ends as a title.
_YEAR_IN_BRACKETS = re.compile(rf"[（(]\s*[\d{patterns.CN_YEAR_DIGITS}]{{4}}\s*年度?\s*[）)]$")
# A scraper's header block names the title ``标题: …`` (the other labels are chrome).
_HEAD_TITLE = re.compile(rf"^标题\s*[:：]\s*(\S.{{3,}}(?:{patterns.DOCUMENT_KINDS}|情况))$")
_BREAK = ""          # stands for a dropped line that still ends a paragraph
_TITLE_TAIL = patterns.TITLE_TAIL


def clean_text(raw: str, fmt: str = "txt") -> str:
    """Return the cleaned report text: paragraphs separated by one blank line."""
    return "\n\n".join(clean_paragraphs(raw, fmt))


def clean_paragraphs(raw: str, fmt: str = "txt") -> list[str]:
    """The report's paragraphs from a page's raw text: chrome dropped, wrapped lines joined, headings apart."""
    lines = _useful_lines(raw, fmt)
    wrapped = _is_wrapped_layout([(line, indented) for line, indented, _ in lines])
    paragraphs: list[str] = []
    current = _Paragraph()
    after_markdown_heading = False
    for line, indented, markdown_heading in lines:
        if line is _BREAK:
            after_markdown_heading = True        # what follows starts a paragraph
            continue
        if current and not (markdown_heading or after_markdown_heading) \
                and _continues(current.view(), line, len(paragraphs) + 1, wrapped and not indented):
            current.join(line)
        else:
            if current:
                paragraphs.append(current.text())
            current = _Paragraph(line)
        after_markdown_heading = markdown_heading
    if current:
        paragraphs.append(current.text())
    return strip_trailing_boilerplate(paragraphs)


class _Paragraph:
    """A paragraph being joined from lines, in time linear in its length.

    Joining by ``previous + line`` copies the paragraph for every line: time
    quadratic in the lines of a long unpunctuated run.  Here the lines are collected and joined
    once; the checks that decide whether a line continues the paragraph see
    only its end, which is all they look at (``_TAIL`` characters, more than the
    60 that ``_looks_like_heading`` considers), or the whole of a short one."""

    _TAIL = 200

    def __init__(self, line: str = ""):
        self.parts = [line] if line else []
        self.length = len(line)

    def __bool__(self) -> bool:
        return self.length > 0

    def join(self, line: str) -> None:
        last = self.parts[-1]
        joined = _join(last[-1:], line)            # the separator, if any, goes before the line
        self.parts.append(joined[1:])
        self.length += len(joined) - 1

    def view(self) -> str:
        """The paragraph itself when short, else its last ``_TAIL`` characters."""
        if len(self.parts) == 1 or len(self.parts[-1]) >= self._TAIL:
            return self.parts[-1]
        tail, size = [], 0
        for part in reversed(self.parts):
            tail.append(part)
            size += len(part)
            if size >= self._TAIL:
                break
        return "".join(reversed(tail))

    def text(self) -> str:
        return "".join(self.parts)


def markdown_headings(raw: str) -> set[str]:
    """The text of the lines a Markdown conversion marked as headings (``## …``):
    headings even when they carry no numbering."""
    return {_MARKDOWN_HEADING.sub("", line).strip(_BLANKS)
            for line in raw.split("\n") if _MARKDOWN_HEADING.match(line)}


def _useful_lines(raw: str, fmt: str) -> list[tuple[str, bool, bool]]:
    """Non-empty, stripped lines with conversion artifacts and chrome removed,
    each with whether it was indented (how a PDF marks a paragraph start) and
    whether it was a Markdown heading."""
    raw = _BOOKMARK.sub("", raw.replace("\x0c", "\n"))
    out: list[tuple[str, bool, bool]] = []
    in_head = True              # above the body: the page's index block and byline
    head_title = None
    bare_label = False          # the line before was an index label standing alone
    for raw_line in raw.split("\n"):
        indented = bool(_INDENT.match(raw_line))
        marker = _MARKDOWN_HEADING.match(raw_line)
        raw_line = (raw_line[marker.end():] if marker else raw_line).strip(_BLANKS)
        markdown_heading = marker is not None
        for line, chrome in _pieces(raw_line):
            if line and (chrome or is_chrome_line(line)):
                line = _title_in_chrome(line)     # 首页 > … > 专栏 X局2024年…报告: keep the title
            if in_head and (bare_label or is_bare_label(line)):
                bare_label = not bare_label           # a label line, then its value line: both the index block's
                continue
            if in_head and _HEAD_TITLE.match(line):
                line = head_title = _HEAD_TITLE.match(line).group(1)   # a scraper's 标题: line is the title
            elif in_head and line == head_title:
                continue                          # ... which the page then prints again
            if not line or _MARKDOWN_RULE.match(line) or (in_head and is_head_chrome(line)):
                continue
            if is_salutation(line):
                out.append((_BREAK, False, False))
                continue
            in_head = in_head and not _ends_sentence(line)
            if _PAGE_NUMBER.match(line) and (fmt == "pdf" or not line.isdigit()):
                continue
            out.append((line, indented, markdown_heading))
            indented = markdown_heading = False   # the line's later pieces run on
    return out


def _pieces(line: str) -> list[tuple[str, bool]]:
    """A line as (piece, is chrome) pairs: a line that opens with a byline, a
    breadcrumb or a share bar and goes on with the report's text gives the
    chrome and the text apart, so that dropping the chrome never drops the
    text; a title with a byline after it gives the title (and any text after
    the byline)."""
    prefix, rest = split_chrome_prefix(line)
    if prefix and holds_text(rest):
        return [(prefix, True)] + _pieces(rest)
    site = patterns.SITE_SUFFIX.search(line)
    if site and site.start() and _TITLE_TAIL.search(line[:site.start()].strip()):
        return [(line[:site.start()].strip(), False)]      # a page title: the report's, then the site's name
    found = _TRAILING_BYLINE.match(line)
    if found and _TITLE_TAIL.search(found.group(1)):
        byline, rest = split_chrome_prefix(line[found.end(1):])
        return [(found.group(1), False)] + ([(rest, False)] if byline and holds_text(rest) else [])
    return [(line, False)]


def _title_in_chrome(line: str) -> str:
    """The report's title when a page printed it on a chrome line (after a
    breadcrumb, before a byline), else ``""``: the shortest dated title at the
    line's end, with the issuer's name before it when that stands apart."""
    parts = [part for part in re.split(r"[\s\u3000]+", line) if part]
    for start in range(len(parts) - 1, 0, -1):
        tail = " ".join(parts[start:])
        if re.search(r"[>＞»›|｜:：,，]", tail) or len(tail) < 8 or not _is_dated_title(tail):
            continue
        before = parts[start - 1]
        if patterns.AGENCY_LINE.match(before) and not re.search(r"[>＞»›|｜:：]", before):
            return before + " " + tail
        return tail
    return ""


def _is_wrapped_layout(lines: list[tuple[str, bool]]) -> bool:
    """True when the text is laid out in wrapped lines with indented paragraph
    starts (a PDF): then an unindented line always continues the one before."""
    if len(lines) < 8:
        return False
    share = sum(1 for _, indented in lines if indented) / len(lines)
    running_on = sum(1 for line, _ in lines if not _ends_sentence(line)) / len(lines)
    return 0.05 <= share <= 0.6 and running_on >= 0.5


def _continues(previous: str, line: str, count: int, wrapped_line: bool = False) -> bool:
    """Whether ``line`` continues the paragraph ``previous`` (a broken line)."""
    if line[0] in _OPENERS_OR_JOINERS:
        return True                       # a line cannot start with ，、。）
    if wrapped_line and not _NUMBERED.match(line) and not _looks_like_heading(previous):
        return True
    if _ends_sentence(previous):
        return False
    if patterns.DATE_LINE.match(_compact(line)) and previous[-1] not in "、，,《（(“‘【：:于在至自":
        return False                      # a date alone on its line (a signature's) starts anew
    if count <= 5 and _is_dated_title(line) and previous[-1] not in "、，,《（(“‘【":
        return False                      # a title starts anew, whatever short line stands above it
    if _is_title_split(previous, line, count):
        return True
    if _NUMBERED.match(line):
        return False                      # a numbered heading or item starts anew
    if previous[-1] in "、，,《（(“‘【":
        return True
    # A short line without sentence punctuation is a heading, a signature or a
    # date: it never swallows the next line.  Anything else that does not end a
    # sentence was cut by a page break or a PDF line wrap: it runs on.
    return not _looks_like_heading(previous)


def _ends_sentence(text: str) -> bool:
    stripped = text.rstrip(_CLOSERS)
    if not stripped:
        return False
    if stripped[-1] in _TERMINAL:
        return True
    # A heading-like closing quote ends a sentence only after a terminal mark.
    return False


def _looks_like_heading(text: str) -> bool:
    """A line that stands alone although it ends without punctuation: a heading,
    a title, an agency signature, a date, a document number.  Any other short
    unpunctuated line is a fragment cut by a break (``要维护`` / ``法律``)."""
    if len(text) > 60 or re.search(r"[。；！？;!?]", text):
        return False
    compact = _YEAR_IN_BRACKETS.sub("", _compact(text))
    return any(pattern.search(compact) for pattern in _STANDALONE)


def _compact(text: str) -> str:
    return text.replace(" ", "").replace("\u3000", "")


def _is_dated_title(line: str) -> bool:
    return len(line) <= 80 and bool(_TITLE_TAIL.search(line)) and bool(_DATED.search(line)) \
        and not re.search(r"[。；！？]", line)


def _is_title_split(previous: str, line: str, count: int) -> bool:
    """A title broken over two lines near the top: ``…2022年法治政府`` + ``建设年度报告``."""
    return (count <= 3 and len(line) <= 16 and bool(_TITLE_TAIL.search(line))
            and "年" in previous and not patterns.DATE_LINE.match(_compact(previous))
            and not _TITLE_TAIL.search(previous) and not _NUMBERED.match(line)
            and not previous.endswith(("局", "委", "厅", "办")))


def _join(previous: str, line: str) -> str:
    # Latin letters and digits split across lines need a space; CJK does not.
    if previous[-1].isascii() and previous[-1].isalnum() and line[0].isascii() and line[0].isalnum():
        return previous + " " + line
    return previous + line
