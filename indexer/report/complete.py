"""Short names of issuers completed from what the page itself prints and the
administrative-division table (addressparser), never from lists of agencies:

- ``省农业农村厅`` / ``市商务委`` / ``省人民政府``: the level word stands for the
  one province (city) the page names: ``福建省农业农村厅`` when 福建 is the only
  province it names, nothing when it names none or several;
- ``镇宁自治县``: the table's one autonomous county whose name starts with 镇宁
  (``镇宁布依族苗族自治县``);
- ``人力社保局``: a field word the text prints in full elsewhere
  (``人力资源和社会保障事业`` → ``人力资源和社会保障局``);
- ``…委`` as an issuer's last word is its 委员会 (``中共…区委`` → ``中共…区委员会``,
  ``商务委`` → ``商务委员会``).
"""
from __future__ import annotations

import re
from functools import lru_cache

from .issuer import KIND_OTHER, agency_kind, printed_in_full
from .region import is_place

_CJK = re.compile(r"[\u4e00-\u9fff]")
_LEVEL_PREFIX = re.compile(r"^(省|市)(?!委|级|直|内|外)([\u4e00-\u9fff]{2,20})$")
_AUTONOMOUS = re.compile(r"^([\u4e00-\u9fff]{2,4}?)(自治县|自治州|自治旗)")
# A committee's own name: ``中共…委`` and ``…商务委``, not a name that goes on (``委员会``).
_COMMITTEE = re.compile(r"^(?P<head>[\u4e00-\u9fff（）()]{2,30}?)委$")


def complete_issuer(name: str, text: str) -> str:
    """The completed name of the issuer ``name`` (as the page prints it), or
    ``name`` unchanged when nothing completes it."""
    if not name:
        return name
    name = _autonomous_in_full(name)
    name = _with_named_place(name, text)
    name = _field_in_full(name, text)
    return printed_in_full(committee_in_full(name, text), is_place)


def committee_in_full(name: str, text: str = "") -> str:
    """``中共X区委`` → ``中共X区委员会``; ``市商务委`` → ``市商务委员会`` when the
    text speaks of 商务 outside the name; joint names part by part."""
    if "、" in name:
        return "、".join(committee_in_full(part, text) for part in name.split("、"))
    found = _COMMITTEE.match(name)
    if not found:
        return name
    head = found.group("head")
    if head.startswith("中共"):
        # 中共X区委 as a title's signatory; the opening's ``X省委、省政府`` stays as printed.
        return head + "委员会" if not text and head[-1] in "省市区县州盟旗镇乡" else name
    field = _field_of(head)
    if len(field) >= 2 and agency_kind(name) != KIND_OTHER and field in text.replace(name, ""):
        return head + "委员会"
    return name


def _field_of(head: str) -> str:
    """The words after the issuer's place: ``上海市商务`` → ``商务``."""
    for end in range(len(head) - 1, 1, -1):
        if head[end - 1] in "省市区县州盟旗" and is_place(head[:end]):
            return head[end:]
    return head[1:] if head[:1] in "省市区县" else head


def _with_named_place(name: str, text: str) -> str:
    """``省X`` → ``<the province the page names>X``; ``市X`` likewise with its city."""
    found = _LEVEL_PREFIX.match(name)
    if not found:
        return name
    provinces, cities = places_named(text)
    named = provinces if found.group(1) == "省" else cities
    if len(named) != 1:
        return name
    place = next(iter(named))
    if found.group(1) == "省" and not place.endswith("省"):
        return name                    # 省 of a 自治区 or a municipality: no such body
    return place + found.group(2)


def places_named(text: str) -> tuple[frozenset, frozenset]:
    """The provinces (by full or short name) and the cities (by full name, or
    a municipality's short name) that ``text`` names, as the table spells them."""
    provinces = {_province_names()[m.group(0)] for m in _province_pattern().finditer(text)}
    cities = {_city_names()[m.group(0)] for m in _city_pattern().finditer(text)}
    return frozenset(provinces), frozenset(cities)


@lru_cache(maxsize=1)
def _province_names() -> dict:
    import addressparser

    return {key: full for key, full in addressparser.province_map.items()
            if len(key) >= 2 and _CJK.match(key) and full}


@lru_cache(maxsize=1)
def _city_names() -> dict:
    """Full city names, and the short names of the cities that are provinces too (上海)."""
    import addressparser

    names = {}
    provinces = set(_province_names().values())
    for key in addressparser.city_map.keys():
        full = addressparser.city_map.get_full_name(key)
        if full and _CJK.match(key) and (key == full or full in provinces) and len(key) >= 2:
            names[key] = full
    return names


@lru_cache(maxsize=1)
def _province_pattern():
    return re.compile("|".join(sorted(map(re.escape, _province_names()), key=len, reverse=True)))


@lru_cache(maxsize=1)
def _city_pattern():
    return re.compile("|".join(sorted(map(re.escape, _city_names()), key=len, reverse=True)))


def _autonomous_in_full(name: str) -> str:
    """``镇宁自治县X`` → ``镇宁布依族苗族自治县X``: the only division of the table
    that starts with the place and ends with the same kind."""
    found = _AUTONOMOUS.match(name)
    if not found or is_place(found.group(0)):
        return name
    full = _autonomous_divisions(found.group(1), found.group(2))
    return full + name[found.end():] if full else name


@lru_cache(maxsize=256)
def _autonomous_divisions(place: str, kind: str) -> str:
    import addressparser

    table = addressparser.city_map if kind == "自治州" else addressparser.area_map
    fulls = {table.get_full_name(key) for key in list(table.keys()) if key.startswith(place)}
    fulls = {full for full in fulls if full and full.startswith(place) and full.endswith(kind)}
    return next(iter(fulls)) if len(fulls) == 1 else ""


def _field_in_full(name: str, text: str) -> str:
    """``上城区人力社保局`` → ``上城区人力资源和社会保障局`` when the name's field is an
    abbreviation no kind of body is known by and the text prints its full words
    (each character of the short form starts the text's words in order)."""
    if agency_kind(name) != KIND_OTHER:
        return name
    suffix = re.search(r"(局|厅|委员会|委|办公室|中心)$", name)
    if not suffix:
        return name
    head = name[:suffix.start()]
    field = _field_of(head)
    if len(field) < 2:
        return name
    full = _expansion(field, text.replace(name, ""))
    completed = head[:len(head) - len(field)] + full + suffix.group(0) if full else name
    return completed if agency_kind(completed) != KIND_OTHER else name


def _expansion(short: str, text: str) -> str:
    """The longest run of ``text`` (one clause, at most four characters per
    short one) that holds ``short``'s characters in order, starting with the first
    and ending with the jieba word that holds the last."""
    import jieba

    best = ""
    for start in (m.start() for m in re.finditer(re.escape(short[0]), text)):
        clause = re.match(r"[\u4e00-\u9fff]*", text[start:start + 4 * len(short)]).group(0)
        position, at = 0, []
        for index, char in enumerate(clause):
            if position < len(short) and char == short[position]:
                at.append(index)
                position += 1
        if position < len(short) or clause.startswith(short):
            continue
        end = 0
        for word in jieba.cut(clause):
            end += len(word)
            if end > at[-1]:
                break
        if len(clause[:end]) > len(best):
            best = clause[:end]
    return best
