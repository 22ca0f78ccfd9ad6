"""Title, agency, region, year and date, found in the text of a report.

File names carry nothing: reports state who wrote them and when in their title,
their opening and their signature (agency line, then the date).
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from functools import lru_cache

from .declared import Declared, read_declared
from .issuer import full_name_in_text, issuer_from_subject, opening_subject
from .patterns import AGENCY_LINE, AGENCY_SUFFIX, NUMBERED, TITLE_WORDS

_AGENCY_IN_TITLE = re.compile(rf"^(?:中共)?([\u4e00-\u9fff（）()]{{2,30}}?{AGENCY_SUFFIX})\s*(?:关于)?\s*(?:\d{{4}}|[（(]?\s*\d{{4}})")
# ``区司法局``: a level word, not a place, before the body's name.
_SHORT_FORM = re.compile(r"^[省市区县镇乡][\u4e00-\u9fff]{2,20}$")
# ``X市人民政府关于X市2023年…``, ``2023年度X县司法局法治政府建设…``, ``中共X县委 X县人民政府关于…``.
_AGENCY_BEFORE_GUANYU = re.compile(rf"^([\u4e00-\u9fff（）()]{{2,30}}?{AGENCY_SUFFIX})关于")
_AGENCY_AFTER_YEAR = re.compile(rf"^(?:19|20)\d{{2}}年度?([\u4e00-\u9fff（）()]{{2,30}}?{AGENCY_SUFFIX})(?=法治|依法)")
_JOINT_IN_TITLE = re.compile(r"^(中共[\u4e00-\u9fff]{2,12}?委)、?([\u4e00-\u9fff]{2,12}?人民政府)")
_CN_YEAR = re.compile(r"([〇○零一二三四五六七八九]{4})\s*年")
# A byline run onto the title's line: ``…情况报告 发布时间：2024-01-05``.
_TITLE_BYLINE = re.compile(r"\s+(发布时间|发布日期|时间|日期|来源|信息来源|作者|浏览次数|【?字体|【?字号)\s*[:：].*$")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_DATE_CN = re.compile(r"^((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$")
_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
_DATE_CN_NUMERALS = re.compile(r"^([〇○零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日$")
# ``保定市2021年度…`` / ``牛田镇2024年…``: a title that opens with its issuer's place.
_TITLE_SUBJECT = re.compile(r"^(?:中共)?([\u4e00-\u9fff、]{2,24}?)(?:关于)?(?:\d{4}\s*年|[（(]\d{4})")
_YEAR_NOISE = re.compile(r"《[^》]*》|(?:19|20)\d{2}\s*年?\s*[—–\-－~～至到]\s*(?:19|20)\d{2}\s*年?")


@dataclass
class Metadata:
    title: str = ""
    agency: str = ""
    province: str = ""
    city: str = ""
    county: str = ""
    year: int | None = None
    date: str | None = None
    # Where each value came from (``发布单位 line 5``, ``title line 3``, ``signature``).
    sources: dict = field(default_factory=dict)


def find_metadata(paragraphs: list[str], raw: str, hints: dict | None = None) -> Metadata:
    """What the page declares first (meta tags, the 信息公开 index block, the
    byline), then what the body says (title lines, signature, opening)."""
    hints = hints or {}
    declared = read_declared(raw, hints.get("meta"))
    meta = Metadata()
    title_index = _find_title_index(paragraphs)
    _set(meta, "title", *declared.get("title"))
    _set(meta, "title", _compose_title(paragraphs, title_index), f"title paragraph {_line(title_index)}")
    _set(meta, "title", _title_like(hints.get("title", "")), "web page heading")
    _set(meta, "agency", *_declared_agency(declared, paragraphs))
    _set(meta, "agency", *find_agency(paragraphs, meta.title, title_index))
    _set(meta, "agency", *_source_unit_agency(declared, paragraphs))
    _set(meta, "date", *declared.get("date"))
    _set(meta, "date", *_signature_date(paragraphs))
    _set(meta, "date", *declared.get("published"))
    _set(meta, "date", _iso(hints.get("date")), "web page date")
    meta.year, source = find_year(meta.title, paragraphs, meta.date)
    if meta.year:
        meta.sources["year"] = "title" if source == "title" else source
    return meta


def _set(meta: Metadata, key: str, value, source: str) -> None:
    """Set ``key`` unless an earlier (more trusted) source already did."""
    if value and not getattr(meta, key):
        setattr(meta, key, value)
        meta.sources[key] = source


def _line(index: int | None) -> int:
    return (index or 0) + 1


def _declared_agency(declared: Declared, paragraphs: list[str]) -> tuple[str, str]:
    agency, source = declared.get("agency")
    if agency and _SHORT_FORM.match(agency):
        # ``发布机构：区司法局``: the name the text prints in full, else none.
        full = full_name_in_text(agency[1:], "\n".join(paragraphs[:30]), is_place)
        return (full, f"{source} + name in text") if full else ("", "")
    if agency and AGENCY_LINE.match(agency):
        return agency, source
    content_source, source = declared.get("content_source")
    return (content_source, source) if AGENCY_LINE.match(content_source) else ("", "")


def _source_unit_agency(declared: Declared, paragraphs: list[str]) -> tuple[str, str]:
    """``来源:留下街道`` under the title: the issuer when nothing better says so."""
    unit, source = declared.get("source_unit")
    if not unit or unit.endswith(("网", "报", "本网", "网站")):
        return "", ""
    return issuer_from_subject(unit, "\n".join(paragraphs[:30]), is_place), source


def _find_title_index(paragraphs: list[str]) -> int | None:
    """The first line near the top shaped like a report's title: short, no
    sentence punctuation, not a numbered heading, naming a kind of document
    (报告, 总结, 情况 …) with a year or as a report."""
    candidates = [index for index, paragraph in enumerate(paragraphs[:8])
                  if len(paragraph) <= 80 and TITLE_WORDS.search(paragraph) and not re.search(r"[。；！？]", paragraph)
                  and not NUMBERED.match(paragraph) and not paragraph.endswith(("：", ":"))
                  and (_any_year(paragraph) or re.search(r"报告|总结", paragraph))]
    # A column's name (``法治政府建设年度报告``) may stand above the report's own
    # title: the first line that names a year is the title.
    dated = [index for index in candidates if _any_year(paragraphs[index])]
    return (dated or candidates or [None])[0]


def _any_year(text: str):
    return _YEAR.search(text) or _CN_YEAR.search(text)


def _title_like(text: str) -> str:
    """A web page's heading, when it is a report's title and not the site's name."""
    text = (text or "").strip()
    ok = len(text) <= 80 and TITLE_WORDS.search(text) and not re.search(r"网站|门户|首页", text)
    return text if ok else ""


def _compose_title(paragraphs: list[str], index: int | None) -> str:
    if index is None:
        return ""
    title = _TITLE_BYLINE.sub("", paragraphs[index]).strip()
    before = paragraphs[index - 1] if index > 0 else ""
    # ``湟中区卫生健康局`` on its own line above ``2024年法治政府建设情况报告``
    # (or ``关于2024年度…的报告``): the published title is the two together.
    if before and AGENCY_LINE.match(before) and before not in title and re.match(r"^(\d{4}|关于)", title):
        title = before + title
    return title


def find_agency(paragraphs: list[str], title: str, title_index: int | None) -> tuple[str, str]:
    """The issuer the body names: the title's own (``X局2024年…``, ``X市2021年度…``),
    the signature, an agency line above the title, the opening's subject."""
    compact = re.sub(r"[\s\u3000]", "", title)
    joint = _JOINT_IN_TITLE.match(compact)
    if joint:
        return f"{joint.group(1)}、{joint.group(2)}", "title"
    found = _AGENCY_IN_TITLE.match(compact) or _AGENCY_BEFORE_GUANYU.match(compact) \
        or _AGENCY_AFTER_YEAR.match(compact)
    text = "\n".join(paragraphs[:30])
    if found and not _SHORT_FORM.match(found.group(1)):
        return found.group(1), "title"
    if found:
        full = full_name_in_text(found.group(1)[1:], text, is_place)
        if full:
            return full, "title + name in text"
    signature = _signature_agency(paragraphs)
    if signature:
        return signature, "signature"
    if title_index:
        for number, paragraph in enumerate(paragraphs[:title_index], start=1):
            if AGENCY_LINE.match(paragraph):
                return paragraph, f"paragraph {number}"
    subject = _TITLE_SUBJECT.match(compact)
    if subject:
        named = issuer_from_subject(subject.group(1), text, is_place)
        if named:
            return named, "title"
    for number, paragraph in enumerate(paragraphs[:4], start=1):
        subject = opening_subject(paragraph)
        named = issuer_from_subject(subject, text, is_place) if subject else ""
        if named:
            return named, f"opening paragraph {number} ({subject})"
    return "", ""


def _signature_agency(paragraphs: list[str]) -> str:
    """The agency line just above the date at the end of a report."""
    tail = paragraphs[-4:]
    for index in range(len(tail) - 1, -1, -1):
        if AGENCY_LINE.match(tail[index]) and len(tail[index]) <= 30:
            return tail[index]
    return ""


def _signature_date(paragraphs: list[str]) -> tuple[str | None, str]:
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
    return declared.get("date")[0] or _signature_date(paragraphs)[0] or declared.get("published")[0] or None


def find_year(title: str, paragraphs: list[str], date: str | None) -> tuple[int | None, str]:
    """The year reported on: the title's year, else the opening's, else the
    year before a January–March publication (annual reports come out early).
    Years inside a cited document's name or a span (``《纲要(2021—2025年)》``)
    are not the report's."""
    for number, text in enumerate([title] + paragraphs[:4]):
        text = _YEAR_NOISE.sub("", text)
        found = _YEAR.search(text)
        year = int(found.group(1)) if found else None
        if not found and number == 0 and _CN_YEAR.search(text):
            year = _cn_year(_CN_YEAR.search(text).group(1))     # 二〇二三年度…报告
        if year:
            return year, "title" if number == 0 else f"opening paragraph {number}"
    if date:
        year, month = int(date[:4]), int(date[5:7])
        return (year - 1 if month <= 3 else year), "date"
    return None, ""


def _iso(value: str | None) -> str | None:
    if not value:
        return None
    found = re.match(r"^(\d{4})-(\d{1,2})-(\d{1,2})", value)
    return _iso_parts(*found.groups()) if found else None


def _iso_parts(year, month, day) -> str | None:
    year, month, day = int(year), int(month), int(day)
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def _cn_year(text: str) -> int:
    return int("".join(str(_CN_DIGITS[c]) for c in text))


def _cn_number(text: str) -> int:
    if text == "十":
        return 10
    if text.startswith("十"):
        return 10 + _CN_DIGITS[text[1]]
    if text.endswith("十"):
        return _CN_DIGITS[text[0]] * 10
    if "十" in text:
        return _CN_DIGITS[text[0]] * 10 + _CN_DIGITS[text[2]]
    return _CN_DIGITS[text]


def resolve_region(*texts: str, context: str = "") -> tuple[str, str, str]:
    """(province, city, county) named by the first text that names a place,
    resolved with addressparser's administrative-division table, so a county
    alone (``湟中区``) still gives its province and city.  A county name that
    several cities have (``西湖区``) is resolved only when ``context`` (the
    page's text) names exactly one of those cities."""
    for text in texts:
        if not text:
            continue
        province, city, county = _divisions(text[:200])
        if province and _named_in(text, province, city, county):
            # The county only when named in full: addressparser also finds one in
            # a bureau's name (南京市自然资源局 → 资源县, 洛阳市公安局 → 公安县).
            county = county if county and county in text else ""
            if county and not _names_above(text, province, city) and not _unique_county(county):
                # 鼓楼区 alone: four cities have one; null rather than a guess.
                return _county_in_context(county, context)
            return province, city, county
    return "", "", ""


def _names_above(text: str, province: str, city: str) -> bool:
    """Whether ``text`` names the province or the city itself."""
    return any(len(short) >= 2 and short in text
               for short in (_DIVISION_SUFFIX.sub("", name) for name in (province, city) if name))


def _county_in_context(county: str, context: str) -> tuple[str, str, str]:
    import addressparser

    named = [tuple(found) for found in addressparser.area_map.get_relational_addrs(county)
             if _names_above(context, found[0], found[1])]
    return named[0] if len(named) == 1 else ("", "", "")


@lru_cache(maxsize=4096)
def _unique_county(county: str) -> bool:
    """Only one county-level division in the table has this name."""
    import addressparser

    return bool(addressparser.area_map.is_unique_value(county))


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


def is_place(name: str) -> bool:
    """Whether ``name`` is a whole administrative division (``南昌县``, ``乌鲁木齐市``)
    in addressparser's table."""
    if not name or len(name) < 2 or name[-1] not in "省市区县州盟旗":
        return False
    return name in _divisions(name)


def full_agency_name(agency: str, city: str, county: str) -> str:
    """``湟中区卫生健康局`` → ``西宁市湟中区卫生健康局``: a district's body named
    with its city, as districts are (``市辖区``).  A county's own name is whole
    (``石柱土家族自治县公安局`` stays as it is)."""
    if county.endswith("区") and city and agency.startswith(county) and not agency.startswith(city):
        if city not in ("市辖区", "县", "省直辖县级行政区划"):
            return city + agency
    return agency
