"""Title, agency, region, year and date, found in the text of a report.

File names carry nothing: reports state who wrote them and when in their title,
their opening and their signature (agency line, then the date).
"""
from __future__ import annotations

import logging
import datetime
import re
from dataclasses import dataclass
from functools import lru_cache

from .patterns import AGENCY_LINE, AGENCY_SUFFIX

_AGENCY_IN_TITLE = re.compile(rf"^(?:中共)?([\u4e00-\u9fff（）()]{{2,30}}?{AGENCY_SUFFIX})\s*(?:关于)?\s*(?:\d{{4}}|[（(]?\s*\d{{4}})")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_DATE_CN = re.compile(r"^((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$")
_DATE_LABELLED = re.compile(r"(?:时间|发布时间|发布日期|成文日期|日期)\s*[:：]\s*((?:19|20)\d{2})[-/.年](\d{1,2})[-/.月](\d{1,2})")
_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
_DATE_CN_NUMERALS = re.compile(r"^([〇○零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日$")
_TITLE_WORDS = re.compile(r"报告|总结|情况|意见|通知|办法|规定|方案|决定|决议|公告|批复|纲要")


@dataclass
class Metadata:
    title: str = ""
    agency: str = ""
    province: str = ""
    city: str = ""
    county: str = ""
    year: int | None = None
    date: str | None = None


def find_metadata(paragraphs: list[str], raw: str, hints: dict | None = None) -> Metadata:
    hints = hints or {}
    meta = Metadata()
    title_index = _find_title_index(paragraphs)
    meta.title = _compose_title(paragraphs, title_index) or hints.get("title", "")
    meta.agency = find_agency(paragraphs, meta.title, title_index)
    meta.date = find_date(paragraphs, raw) or _iso(hints.get("date"))
    meta.year = find_year(meta.title, paragraphs, meta.date)
    return meta


def _find_title_index(paragraphs: list[str]) -> int | None:
    for index, paragraph in enumerate(paragraphs[:6]):
        if len(paragraph) <= 60 and _TITLE_WORDS.search(paragraph) and not re.search(r"[。；]", paragraph):
            return index
    for index, paragraph in enumerate(paragraphs[:3]):
        if len(paragraph) <= 60 and not re.search(r"[。；：:]$", paragraph):
            return index
    return None


def _compose_title(paragraphs: list[str], index: int | None) -> str:
    if index is None:
        return ""
    title = paragraphs[index]
    before = paragraphs[index - 1] if index > 0 else ""
    # ``湟中区卫生健康局`` on its own line above ``2024年法治政府建设情况报告``:
    # the published title is the two together.
    if before and AGENCY_LINE.match(before) and before not in title and re.match(r"^\d{4}", title):
        title = before + title
    return title


def find_agency(paragraphs: list[str], title: str, title_index: int | None) -> str:
    found = _AGENCY_IN_TITLE.match(title.replace(" ", ""))
    if found:
        return found.group(1)
    signature = _signature_agency(paragraphs)
    if signature:
        return signature
    if title_index:
        for paragraph in paragraphs[:title_index]:
            if AGENCY_LINE.match(paragraph):
                return paragraph
    return ""


def _signature_agency(paragraphs: list[str]) -> str:
    """The agency line just above the date at the end of a report."""
    tail = paragraphs[-4:]
    for index in range(len(tail) - 1, -1, -1):
        if AGENCY_LINE.match(tail[index]) and len(tail[index]) <= 30:
            return tail[index]
    return ""


def find_date(paragraphs: list[str], raw: str) -> str | None:
    for paragraph in reversed(paragraphs[-5:]):
        found = _DATE_CN.match(paragraph.replace(" ", ""))
        if found:
            return _iso_parts(*found.groups())
        found = _DATE_CN_NUMERALS.match(paragraph.replace(" ", ""))
        if found:
            return _iso_parts(_cn_year(found.group(1)), _cn_number(found.group(2)), _cn_number(found.group(3)))
    found = _DATE_LABELLED.search(raw[:3000])
    if found:
        return _iso_parts(*found.groups())
    return None


def find_year(title: str, paragraphs: list[str], date: str | None) -> int | None:
    """The year reported on: the title's year, else the opening's, else the
    year before a January–March publication (annual reports come out early)."""
    for text in [title] + paragraphs[:4]:
        found = _YEAR.search(text)
        if found:
            return int(found.group(1))
    if date:
        year, month = int(date[:4]), int(date[5:7])
        return year - 1 if month <= 3 else year
    return None


def _iso(value: str | None) -> str | None:
    if not value:
        return None
    found = re.match(r"^(\d{4})-(\d{1,2})-(\d{1,2})", value)
    return _iso_parts(*found.groups()) if found else None


def _iso_parts(year, month, day) -> str | None:
    """ISO date, or None when the parts are no date (``2022-02-31``, a month ``一二``)."""
    try:
        return datetime.date(int(year), int(month), int(day)).isoformat()
    except (TypeError, ValueError):
        return None


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


def resolve_region(*texts: str) -> tuple[str, str, str]:
    """(province, city, county) named by the first text that names a place,
    resolved with addressparser's administrative-division table, so a county
    alone (``湟中区``) still gives its province and city."""
    for text in texts:
        if not text:
            continue
        province, city, county = _divisions(text[:200])
        if province and _named_in(text, province, city, county):
            # The county only when named in full: addressparser also finds one in
            # a bureau's name (南京市自然资源局 → 资源县, 洛阳市公安局 → 公安县).
            return province, city, county if county and county in text else ""
    return "", "", ""


# Cached by text, not by the (agency, title) pair: titles are all different but
# agencies repeat, and each addressparser call builds a pandas DataFrame (~0.4 ms).
@lru_cache(maxsize=16384)
def _divisions(text: str) -> tuple[str, str, str]:
    """addressparser's (province, city, county) guess for ``text``."""
    import jieba
    jieba.setLogLevel(logging.WARNING)   # addressparser loads jieba, which chats on stderr
    import addressparser  # imported late: it loads its table and jieba at import

    row = addressparser.transform([text]).iloc[0]
    return (row["省"] or ""), (row["市"] or ""), (row["区"] or "")


_DIVISION_SUFFIX = re.compile(r"(特别行政区|维吾尔自治区|壮族自治区|回族自治区|自治区|自治州|自治县|地区|省|市|区|县|盟|旗)$")


def _named_in(text: str, province: str, city: str, county: str) -> bool:
    """addressparser also guesses from fragments (``中华人民共和国`` → 共和县,
    ``自然资源部`` → 资源县); accept its answer only when the text names the
    province or city, or the county in full."""
    for name in (province, city):
        short = _DIVISION_SUFFIX.sub("", name)
        if len(short) >= 2 and short in text:
            return True
    return bool(county) and county in text


def full_agency_name(agency: str, city: str, county: str) -> str:
    """``湟中区卫生健康局`` → ``西宁市湟中区卫生健康局``: the name with its city
    when the report gives only the county."""
    if county and city and agency.startswith(county) and not agency.startswith(city):
        if city not in ("市辖区", "县", "省直辖县级行政区划"):
            return city + agency
    return agency
