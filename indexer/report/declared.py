"""What a saved government page declares about itself, before any inference.

Government portals print a 信息公开 index block above the article (``索引号``,
``发布机构``, ``成文日期``, ``文号`` …, as lines, as a bullet list or run together
on one long line), a byline under the title (``2025-04-27 10:14 黑龙江省人民政府网``,
``发布时间:2026-01-29``) and, in the HTML, ``<meta>`` tags named after GB/T
42147-2022 (``ArticleTitle``, ``PubDate``, ``ContentSource``).  These are the
page's own statements, so they come first; the cleaner drops the same lines as
chrome, so they are read from the raw text here.

Every value comes with where it was found (``发布单位 line 5``, ``meta PubDate``),
for ``inspect`` to show.
"""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from .patterns import (
    INDEX_AGENCY_LABELS,
    INDEX_BLOCK_LABELS,
    INDEX_DATE_LABELS,
    INDEX_DOCUMENT_DATE_LABELS,
    INDEX_HEAD_LABELS,
    INDEX_OTHER_DATE_LABELS,
    INDEX_SOURCE_LABELS,
    TITLE_WORDS,
)

# Labels of the 信息公开 index block, by the field they give (one list with chrome.py).
_AGENCY_LABELS = INDEX_AGENCY_LABELS
_DATE_LABELS = INDEX_DATE_LABELS
_OTHER_LABELS = INDEX_BLOCK_LABELS + INDEX_HEAD_LABELS + INDEX_SOURCE_LABELS + ("浏览次数", "点击率", "阅读")
_LABELS = sorted(set(_AGENCY_LABELS + _DATE_LABELS + _OTHER_LABELS), key=len, reverse=True)
# A label and its value, up to the next label: one long line can hold the whole block.
_LABELLED = re.compile(
    r"(?<![\u4e00-\u9fff])(?P<label>" + "|".join(_LABELS) + r")\s*[:：]\s*(?P<value>.*?)\s*"
    r"(?=(?:" + "|".join(_LABELS) + r")\s*[:：]|$)")
_ISO_DATE = re.compile(r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
# A byline: a short name and a numeric date (and time), nothing else.
_BYLINE = re.compile(r"^[^\s。；，！？:：]{0,20}\s*((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})日?+"
                     r"(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?\s*(?!起|至|到|前|后|以|开始|—|-|～|~)"
                     r"(?:[^\s。；，！？]{0,20}(?:\s+[^\s。；，！？]{1,20}){0,2})$")
_BARE_LABELS = frozenset(INDEX_BLOCK_LABELS + INDEX_HEAD_LABELS + INDEX_DATE_LABELS + ("效力状态", "发布机关"))
_URL = re.compile(r"https?://[^\s<>\"'，。]+")
_CLOCK = re.compile(r"今天是|今日是|星期|礼拜|农历")
_AGENCY_VALUE = re.compile(r"^[\u4e00-\u9fff（）()、]{2,60}$")
_TOP_LINES = 40          # the index block and byline stand above the body
_PAGE_LINES = 400        # of a whole web page: menus come first
# <meta> names of government sites (GB/T 42147-2022, 政府网站发展指引).
META_FIELDS = {"title": ("ArticleTitle",), "date": ("PubDate", "firstpublishedtime"),
               "content_source": ("ContentSource",), "site": ("SiteName",), "column": ("ColumnName",)}


@dataclass
class Declared:
    """Values the page states, each with where it stands."""
    values: dict[str, str] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)

    def put(self, key: str, value: str, source: str) -> None:
        """Keep ``value`` for ``key`` with its source, unless empty or a value is kept already (the first wins)."""
        if value and key not in self.values:
            self.values[key] = value
            self.sources[key] = source

    def get(self, key: str) -> tuple[str, str]:
        """The value kept for ``key`` and where it stands (empty strings when none)."""
        return self.values.get(key, ""), self.sources.get(key, "")


def read_declared(raw: str, meta: dict | None = None, page_text: str = "") -> Declared:
    """The index block, byline and meta tags of a page (empty for a plain report).
    ``page_text``: a web page's whole text, chrome included, where the labelled
    lines (not bare bylines: lists of related articles look like them) are read too."""
    declared = Declared()
    for name, value in _meta_values(meta or {}):
        # PubDate is when the page went up, like 发布日期: below 成文日期 and a signature.
        declared.put("published" if name == "date" else name, value, f"meta {_meta_name(name, meta)}")
    _read_lines(declared, raw.split("\n")[:_TOP_LINES], "line", bylines=True)
    _read_lines(declared, page_text.split("\n")[:_PAGE_LINES], "page line", bylines=False)
    return declared


def _read_lines(declared: Declared, lines: list[str], where: str, bylines: bool) -> None:
    lines = _labels_on_their_own_lines(lines)
    for number, line in enumerate(lines, start=1):
        line = line.strip().lstrip("•·●▪◆■◇□-* ")
        if not line or _CLOCK.search(line):
            continue                      # a site clock is never a date
        for label, value in _labelled_values(line):
            _put_labelled(declared, label, value, f"{label} {where} {number}")
        found = _BYLINE.match(line) if bylines else None
        if found:
            declared.put("published", iso_date(*found.groups()), f"byline {where} {number}")


def _labels_on_their_own_lines(lines: list[str]) -> list[str]:
    """An index block printed as a label line and a value line (``发文单位`` /
    ``区人民政府``) read as ``发文单位：区人民政府``; the line numbers stay."""
    out = list(lines)
    for number in range(len(out) - 1):
        if is_bare_label(out[number]) and out[number + 1].strip() and not is_bare_label(out[number + 1]):
            out[number], out[number + 1] = f"{out[number].strip()}：{out[number + 1].strip()}", ""
    return out


def is_bare_label(line: str) -> bool:
    """A line that is only a label of the index block (``发文单位``, ``成文日期``)."""
    return re.sub(r"[\s\u3000]", "", line).lstrip("•·●▪◆■◇□-*") in _BARE_LABELS


def _labelled_values(line: str) -> list[tuple[str, str]]:
    if len(line) > 400:
        return []
    return [(m.group("label"), m.group("value").strip()) for m in _LABELLED.finditer(line)]


def _put_labelled(declared: Declared, label: str, value: str, source: str) -> None:
    if label in _AGENCY_LABELS and _AGENCY_VALUE.match(value):
        declared.put("agency", value, source)
    elif label in INDEX_SOURCE_LABELS and _AGENCY_VALUE.match(value):
        declared.put("source_unit", value, source)
    elif label in _DATE_LABELS:
        found = _ISO_DATE.search(value)
        if found:
            # 成文日期 is the document's own date: it outranks a publication time.
            key = "date" if label in INDEX_DOCUMENT_DATE_LABELS else \
                "other_date" if label in INDEX_OTHER_DATE_LABELS else "published"
            declared.put(key, iso_date(*found.groups()), source)
    elif label in ("文号", "发文字号") and value:
        declared.put("document_number", value, source)
    elif label == "标题" and 4 <= len(value) <= 100 and TITLE_WORDS.search(value):
        declared.put("title", value, source)          # a scraper's header block
    elif label in ("原文链接", "原文地址") and _URL.match(value):
        declared.put("source_url", _URL.match(value).group(0), source)
    elif label in ("栏目", "所属栏目") and value:
        declared.put("column", value, source)


def _meta_values(meta: dict) -> list[tuple[str, str]]:
    lowered = {k.lower(): v.strip() for k, v in meta.items() if isinstance(v, str)}
    out = []
    for key, names in META_FIELDS.items():
        for name in names:
            value = lowered.get(name.lower(), "")
            if key == "date":
                found = _ISO_DATE.search(value)
                value = iso_date(*found.groups()) if found else ""
            if value:
                out.append((key, value))
                break
    return out


def _meta_name(key: str, meta: dict | None) -> str:
    lowered = {k.lower() for k in (meta or {})}
    return next((n for n in META_FIELDS[key] if n.lower() in lowered), META_FIELDS[key][0])


def iso_date(year, month, day) -> str:
    """``YYYY-MM-DD``, or "" when the parts are no date (``2022-02-31``, a month ``一二`` read as None)."""
    try:
        return datetime.date(int(year), int(month), int(day)).isoformat()
    except (TypeError, ValueError):
        return ""
