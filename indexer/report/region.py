"""Where an issuer is: province, city and county from its name, resolved with
addressparser's administrative-division table (no lists of places here), and a
district body's name completed with its city.
"""
from __future__ import annotations

import logging
import re
from functools import lru_cache

from .patterns import PLACE_ENDINGS


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
    found = (row["省"] or ""), (row["市"] or ""), (row["区"] or "")
    return found if any(found) else _county_of_table(text)


def _county_of_table(text: str) -> tuple[str, str, str]:
    """The county the table names in full in ``text``, when addressparser's
    segmentation misses it (``镇宁布依族苗族自治县`` is cut into words it does not
    know); only a name of one county, and the longest one."""
    import addressparser

    table = addressparser.area_map
    names = [key for key in _full_county_names() if key in text]
    for name in sorted(names, key=len, reverse=True):
        if table.is_unique_value(name):
            return tuple(table.get_relational_addrs(name)[0])
    return "", "", ""


@lru_cache(maxsize=1)
def _full_county_names() -> tuple[str, ...]:
    import addressparser

    table = addressparser.area_map
    return tuple(key for key in list(table.keys()) if len(key) >= 4 and table.get_full_name(key) == key
                 and key[-1] in PLACE_ENDINGS)


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
    if not name or len(name) < 2 or name[-1] not in PLACE_ENDINGS:
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


# ``在宁远县委、县政府的坚强领导下``: the county a town's or street's report answers to.
_SUPERIOR = re.compile(r"在(?:中共)?([\u4e00-\u9fff]{2,10}?[县区市旗])委")


def superior_county(page_text: str) -> tuple[str, str, str]:
    """(province, city, county) of the county-level party committee a town's or
    a street's opening names as its leadership; empty when it names none or a
    name the table does not resolve to one county."""
    for found in _SUPERIOR.finditer(page_text[:800]):
        province, city, county = resolve_region(found.group(1), context=page_text)
        if county and county == found.group(1):
            return province, city, county
        if city == found.group(1) and not county:
            return province, city, ""      # 在东莞市委…: the city is certain, the county is not
    return "", "", ""
