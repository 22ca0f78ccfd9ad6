"""The year and the date of a report: the date from its signature (in digits or
numerals, ``二〇二三年三月五日``) or what the page declares, and the year it
reports on from its title, its date and its opening (``metadata`` calls them).
"""
from __future__ import annotations

import re

from ..model import DOC_TYPE_OTHER, DOC_TYPE_WORK_REPORT
from .declared import iso_date, read_declared
from .patterns import CN_YEAR_DIGITS, DATE_DIGITS, DATE_NUMERALS

_CN_YEAR = re.compile(rf"([{CN_YEAR_DIGITS}]{{4}})\s*年")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_YEAR_TARGET = re.compile(r"(到|至|截至)$")
_DATE_CN = re.compile(rf"^{DATE_DIGITS}$")
_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "O": 0, "Ｏ": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
_DATE_CN_NUMERALS = re.compile(rf"^{DATE_NUMERALS}$")
_YEAR_NOISE = re.compile(r"《[^》]*》|(?:19|20)\d{2}\s*年?\s*[—–\-－~～至到]\s*(?:19|20)\d{2}\s*年?")


def any_year(text: str):
    """The first year ``text`` names, in digits or numerals (a match), or None."""
    return _YEAR.search(text) or _CN_YEAR.search(text)


def signature_date(paragraphs: list[str]) -> tuple[str | None, str]:
    """The date a report is signed with (one of its last five lines, in digits or
    numerals) and ``"signature"``; (None, "") when none is."""
    for paragraph in reversed(paragraphs[-5:]):
        found = _DATE_CN.match(paragraph.replace(" ", ""))
        if found:
            return _iso_parts(*found.groups()), "signature"
        found = _DATE_CN_NUMERALS.match(paragraph.replace(" ", ""))
        if found:
            return (_iso_parts(_cn_year(found.group(1)), _cn_number(found.group(2)), _cn_number(found.group(3))),
                    "signature")
    return None, ""


def find_date(paragraphs: list[str], raw: str) -> str | None:
    """The report's date: 成文日期, the signature, then 发布日期 / a byline."""
    declared = read_declared(raw)
    return declared.get("date")[0] or signature_date(paragraphs)[0] or declared.get("published")[0] or None


def find_year(title: str, paragraphs: list[str], date: str | None, issued: bool = False) -> tuple[int | None, str]:
    """The year reported on: the title's year; else the year the date falls
    in, or the year before for a date in January to April (annual reports come
    out early in the next year); else, with no date, the opening's year.  A year
    in the opening counts only when it agrees with the date
    (``2018年，在全市考评中名列第二`` in a report dated 2019-12-18 is not its year).
    Years inside a cited document's name or a span (``《纲要(2021—2025年)》``)
    and targets (``到2035年``) are not the report's.

    A document ``issued`` rather than reporting on a past year (its title names it
    ``…的通知``, ``…条例``, ``…工作要点``; or a 政府工作报告, known by the year it is
    delivered in: ``is_issued``) has the year of its date and no other: a notice of
    February 2017 is 2017's, and the first year of its opening is as often that of
    a regulation it cites (``1999年5月23日…发布``) or of the year under review as its own."""
    year = _title_year(title)
    if year:
        return year, "title"
    if issued:
        return (int(date[:4]), "date (the year it was issued)") if date else (None, "")
    opening = _opening_years(paragraphs)
    if date:
        covered = int(date[:4]) - (1 if int(date[5:7]) <= 4 else 0)
        agreeing = [number for number, found in opening if found == covered]
        return covered, (f"date, as opening paragraph {agreeing[0]}" if agreeing else "date")
    if opening:
        number, year = opening[0]
        return year, f"opening paragraph {number}"
    return None, ""


def is_issued(kind: str, where: str) -> bool:
    """Whether a document of ``kind`` (``kind.document_kind``: the kind and where it
    was decided) is known by the year it was issued in: a 政府工作报告, or a document
    its title names as something other than a report.  One of no named kind (no
    title, an opening that names none) may still be a report on a past year."""
    return kind == DOC_TYPE_WORK_REPORT or (kind == DOC_TYPE_OTHER and where == "title")


def _title_year(title: str) -> int | None:
    text = _YEAR_NOISE.sub("", title)
    found = next((m for m in _YEAR.finditer(text) if not _YEAR_TARGET.search(text[max(0, m.start() - 2):m.start()])),
                 None)
    if found:
        return int(found.group(1))
    found = _CN_YEAR.search(text)
    return _cn_year(found.group(1)) if found else None      # 二〇二三年度…报告


def _opening_years(paragraphs: list[str]) -> list[tuple[int, int]]:
    """(paragraph number, year) of the years the first paragraphs name, in order."""
    years = []
    for number, text in enumerate(paragraphs[:4], start=1):
        text = _YEAR_NOISE.sub("", text)
        years += [(number, int(m.group(1))) for m in _YEAR.finditer(text)
                  if not _YEAR_TARGET.search(text[max(0, m.start() - 2):m.start()])]
    return years


def _iso_parts(year, month, day) -> str | None:
    """ISO date, or None when the parts are no date (``2022-02-31``, a month ``一二``)."""
    return iso_date(year, month, day) or None


def _cn_year(text: str) -> int:
    return int("".join(str(_CN_DIGITS[c]) for c in text))


# 一 … 九, 十, 十一 … 十九, 二十 … 九十九: the numerals a month or a day is written in.
_CN_NUMBER = re.compile(r"^(?:([一二三四五六七八九])?(十))?([一二三四五六七八九])?$")


def _cn_number(text: str) -> int | None:
    """The value of a Chinese numeral up to 99; None for ``一二``, ``十十`` or ``二二``."""
    found = _CN_NUMBER.match(text)
    if not text or not found:
        return None
    tens, ten, units = found.groups()
    value = (_CN_DIGITS[tens] if tens else 1 if ten else 0) * 10 if ten else 0
    return value + (_CN_DIGITS[units] if units else 0)
