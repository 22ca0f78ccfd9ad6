"""Title, agency, year and date, found in a page's declarations and the text of
a report (the region is ``region``'s job).

File names carry nothing: reports state who wrote them and when in their title,
their opening and their signature (agency line, then the date).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .dates import any_year, find_year, is_issued, signature_date
from .declared import Declared, read_declared
from .issuer import WE_WORD, full_name_in_text, issuer_from_subject, opening_subject, printed_in_full
from .complete import committee_in_full, complete_issuer
from .kind import document_kind, kind_of_name
from .patterns import AGENCY_LINE, AGENCY_SUFFIX, DOCUMENT_KINDS, NUMBERED, PLACE_ENDINGS, SITE_SUFFIX, TITLE_WORDS
from .region import full_agency_name, is_place, resolve_region  # noqa: F401  (re-exported)
from .vote import PLAIN, STRONG, WEAK, choose, gather

_AGENCY_IN_TITLE = re.compile(rf"^(?:中共)?([\u4e00-\u9fff（）()]{{2,30}}?{AGENCY_SUFFIX})\s*(?:关于)?\s*(?:\d{{4}}|[（(]?\s*\d{{4}})")
# ``区司法局``: a level word, not a place, before the body's name.
_SHORT_FORM = re.compile(r"^[省市区县镇乡][\u4e00-\u9fff]{2,20}$")
# ``X市人民政府关于X市2023年…``, ``2023年度X县司法局法治政府建设…``, ``中共X县委 X县人民政府关于…``.
_AGENCY_BEFORE_GUANYU = re.compile(rf"^([\u4e00-\u9fff（）()]{{2,30}}?{AGENCY_SUFFIX})(?=关于|法治政府|依法行政|二〇)")
_AGENCY_AFTER_YEAR = re.compile(rf"^(?:19|20)\d{{2}}年度?([\u4e00-\u9fff（）()]{{2,30}}?{AGENCY_SUFFIX})(?=法治|依法)")
_JOINT_IN_TITLE = re.compile(r"^(中共[\u4e00-\u9fff]{2,12}?委)、?([\u4e00-\u9fff]{2,12}?人民政府)")
# A byline run onto the title's line: ``…情况报告 发布时间：2024-01-05``.
_TITLE_BYLINE = re.compile(r"\s+(发布时间|发布日期|时间|日期|来源|信息来源|作者|浏览次数|【?字体|【?字号)\s*[:：].*$")
# ``保定市2021年度…`` / ``牛田镇2024年…``: a title that opens with its issuer's place.
_TITLE_SUBJECT = re.compile(r"^(?:中共)?([\u4e00-\u9fff、]{2,24}?)(?:关于)?(?:\d{4}\s*年|[（(]\d{4}|二〇|(?=法治政府))")


@dataclass
class Metadata:
    """A report's title, agency, place, year and date, each with where it was found."""
    title: str = ""
    agency: str = ""
    province: str = ""
    city: str = ""
    county: str = ""
    year: int | None = None
    date: str | None = None
    source_url: str = ""
    # Where each value came from (``发布单位 line 5``, ``title line 3``, ``signature``).
    sources: dict = field(default_factory=dict)


def find_metadata(paragraphs: list[str], raw: str, hints: dict | None = None) -> Metadata:
    """What the page declares first (meta tags, the 信息公开 index block, the
    byline), then what the body says (title lines, signature, opening)."""
    hints = hints or {}
    declared = read_declared(raw, hints.get("meta"), hints.get("page_text", ""))
    meta = Metadata()
    title_index = _find_title_index(paragraphs)
    named_title, named_agency, named_where = _named_report(paragraphs)
    _set(meta, "title", without_title_junk(declared.get("title")[0]), declared.get("title")[1])
    _set(meta, "title", _compose_title(paragraphs, title_index), f"title paragraph {_line(title_index)}")
    _set(meta, "title", named_title, named_where)
    _set(meta, "title", without_title_junk(_title_like(hints.get("title", ""))), "web page heading")
    proposals = [(*_declared_agency(declared, paragraphs), STRONG),
                 *agency_proposals(paragraphs, meta.title, title_index),
                 (*_named_agency(named_agency, named_where, paragraphs), PLAIN),
                 (*_source_unit_agency(declared, paragraphs), WEAK)]
    _choose_agency(meta, proposals, paragraphs)
    _set(meta, "date", *declared.get("date"))
    _set(meta, "date", *signature_date(paragraphs))
    _set(meta, "date", *declared.get("published"))
    _set(meta, "date", *declared.get("other_date"))
    meta.source_url = declared.get("source_url")[0]
    meta.year, source = find_year(meta.title, paragraphs, meta.date, is_issued(*document_kind(meta.title, paragraphs)))
    if meta.year:
        meta.sources["year"] = "title" if source == "title" else source
    return meta


def _choose_agency(meta: Metadata, proposals: list[tuple[str, str, int]], paragraphs: list[str]) -> None:
    """The issuer most sources agree on (see ``vote``); short forms completed
    from the page, and dropped when nothing completes them."""
    candidates = [c for c in gather(proposals, "\n".join([meta.title, *paragraphs])) if not _is_short_form(c.value)]
    agency, source, agreeing = choose(candidates)
    if agency:
        meta.agency = agency
        meta.sources["agency"] = source
        if agreeing:
            meta.sources["agency_agreed"] = ", ".join(agreeing)


def _set(meta: Metadata, key: str, value, source: str) -> None:
    """Set ``key`` unless an earlier (more trusted) source already did."""
    if value and not getattr(meta, key):
        setattr(meta, key, value)
        meta.sources[key] = source


def _line(index: int | None) -> int:
    return (index or 0) + 1


# Sentences of the opening that name the report: ``现将《X局2025年度…报告》予以公布``
# (its title), ``现将北京市石景山区人民政府2023年…报告如下`` (its issuer).
_NAMED_TITLE = re.compile(r"现将《([^《》]{6,80})》(?:予以|正式)?(?:公布|印发|发布|公开|报送|上报|呈报)")
_NAMED_ISSUER = re.compile(rf"现将(?:我[局委厅办](?=[\u4e00-\u9fff]))?([\u4e00-\u9fff（）()]{{2,30}}?{AGENCY_SUFFIX}|我[局委厅])"
                           rf"(?=(?:19|20)\d{{2}}\s*年|关于)")
# A title glued to a bullet, a validity tag, or the site's column and name after it.
_TITLE_BULLET = re.compile(r"^[•·●▪◆■◇□\-*]\s*")
_VALIDITY_TAG = re.compile(r"^(?:有\s*效\s*性|效\s*力\s*状\s*态|时\s*效\s*性)\s*[:：]\s*(?:有效|失效|废止|已废止|现行有效)\s*")
_SITE_SUFFIX = SITE_SUFFIX


def without_title_junk(title: str) -> str:
    """``• 有 效 性: 有效X报告`` / ``X报告 - 规划计划 - …政府门户网站`` → ``X报告``."""
    title = _TITLE_BULLET.sub("", (title or "").strip())
    title = _VALIDITY_TAG.sub("", title)
    stripped = _SITE_SUFFIX.sub("", title).strip()
    return stripped if TITLE_WORDS.search(stripped) else title


def _named_report(paragraphs: list[str]) -> tuple[str, str, str]:
    """(title, issuer, where) named by a sentence of the opening about the report itself."""
    for number, paragraph in enumerate(paragraphs[:6], start=1):
        head = paragraph[:400]
        title = _NAMED_TITLE.search(head)
        title = title.group(1) if title and kind_of_name(title.group(1)) else ""
        issuer = _NAMED_ISSUER.search(head)
        if title or issuer:
            return title, issuer.group(1) if issuer else "", f"sentence naming the report, paragraph {number}"
    return "", "", ""


def _named_agency(agency: str, where: str, paragraphs: list[str]) -> tuple[str, str]:
    """The issuer a sentence names; a short form (``县人民政府``) only when the text prints it in full."""
    if not agency:
        return "", ""
    if _SHORT_FORM.match(agency):
        full = full_name_in_text(agency[1:], "\n".join(paragraphs[:40]), is_place)
        return (full, f"{where} + name in text") if full else (agency, where)
    we = WE_WORD.match(agency)
    if we:
        full = full_name_in_text(we.group(1), "\n".join(paragraphs[:40]), is_place)
        return (full, f"{where} ({agency}) + name in text") if full else ("", "")
    return (agency, where) if _has_place(agency) or printed_in_full(agency, is_place) != agency else ("", "")


def _is_short_form(name: str) -> bool:
    """``区司法局``, ``省人民政府``: a level word and a body, no place (``镇江市…`` has one)."""
    return bool(_SHORT_FORM.match(name)) and not _has_place(name)


def _has_place(name: str) -> bool:
    return any(name[end - 1] in "省市区县州盟旗" and is_place(name[:end]) for end in range(2, len(name)))


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
                  and (any_year(paragraph) or re.search(r"报告|总结", paragraph))]
    # A column's name (``法治政府建设年度报告``) may stand above the report's own
    # title: the first line that names a year is the title.
    dated = [index for index in candidates if any_year(paragraphs[index])]
    # Else an official document's title as GB/T 9704 shapes it: issuer, 关于 and the
    # matter, the kind (``浙江省人民政府关于印发…实施方案的通知``).
    official = [index for index, paragraph in enumerate(paragraphs[:8])
                if len(paragraph) <= 80 and _OFFICIAL_TITLE.match(re.sub(r"[\s\u3000]", "", paragraph))]
    return (dated or candidates or official or [None])[0]


_OFFICIAL_TITLE = re.compile(rf"^[^，。；！？：:、]{{0,40}}关于[^。；！？：:]{{2,70}}的({DOCUMENT_KINDS})$")



def _title_like(text: str) -> str:
    """A web page's heading, when it is a report's title and not the site's name."""
    text = (text or "").strip()
    ok = len(text) <= 80 and TITLE_WORDS.search(text) and not re.search(r"网站|门户|首页", text)
    return text if ok else ""


def _compose_title(paragraphs: list[str], index: int | None) -> str:
    if index is None:
        return ""
    title = without_title_junk(_TITLE_BYLINE.sub("", paragraphs[index]).strip())
    before = paragraphs[index - 1] if index > 0 else ""
    # ``湟中区卫生健康局`` on its own line above ``2024年法治政府建设情况报告``
    # (or ``关于2024年度…的报告``): the published title is the two together.
    if before and AGENCY_LINE.match(before) and before not in title and re.match(r"^(\d{4}|关于)", title):
        title = before + title
    return title


def agency_proposals(paragraphs: list[str], title: str, title_index: int | None) -> list[tuple[str, str, int]]:
    """What the body proposes as the issuer: the title's own (``X局2024年…``,
    ``X市2021年度…``), an issuer line or a joint issuer block by the title, the
    signature, the opening's subject; (name, source, strength) each."""
    text = "\n".join(paragraphs[:30])
    proposals = []
    for finder, strength in ((_title_agency, STRONG), (_issuer_line, STRONG), (_joint_block, STRONG),
                             (_signature, STRONG), (_title_subject, PLAIN), (_opening_subject, PLAIN)):
        agency, source = finder(paragraphs, title, title_index, text)
        if agency:
            joint = _JOINT_IN_TITLE.match(re.sub(r"[\s\u3000]", "", agency))
            proposals.append(((f"{joint.group(1)}、{joint.group(2)}" if joint else agency), source, strength))
    return proposals


def _title_agency(paragraphs, title, title_index, text) -> tuple[str, str]:
    compact = re.sub(r"[\s\u3000]", "", title)
    joint = _JOINT_IN_TITLE.match(compact)
    if joint:      # a title's signatories by their formal names: 中共X区委 is 中共X区委员会
        return f"{committee_in_full(joint.group(1))}、{joint.group(2)}", "title"
    found = _AGENCY_IN_TITLE.match(compact) or _AGENCY_BEFORE_GUANYU.match(compact) \
        or _AGENCY_AFTER_YEAR.match(compact)
    if found and not _SHORT_FORM.match(found.group(1)):
        return found.group(1), "title"
    full = full_name_in_text(found.group(1)[1:], text, is_place) if found else ""
    # A short form nothing here completes goes to the vote, which completes it from the page or drops it.
    return (full, "title + name in text") if full else (found.group(1), "title") if found else ("", "")


def _issuer_line(paragraphs, title, title_index, text) -> tuple[str, str]:
    """An issuer on its own line just below or above the title (not further up,
    where a portal prints its own name)."""
    if title_index is None:
        return "", ""
    for index in (title_index + 1, title_index - 1):
        if 0 <= index < len(paragraphs) and len(paragraphs[index]) <= 40 and AGENCY_LINE.match(paragraphs[index]):
            return paragraphs[index], f"paragraph {index + 1}"
    return "", ""


# A party committee and a government signing together, one line each, above the title.
_PARTY_LINE = re.compile(r"^中共([\u4e00-\u9fff]{2,20}?)(?:党委|委员会|委)$")
_GOVERNMENT_LINE = re.compile(r"^([\u4e00-\u9fff]{2,20}?)人民政府$")


def _joint_block(paragraphs, title, title_index, text) -> tuple[str, str]:
    """``中共夏铎铺镇党委`` / ``夏铎铺镇人民政府`` on consecutive lines near the top:
    the two issue the report together; their place as the page prints it longest."""
    head = [re.sub(r"[\s\u3000]", "", p) for p in paragraphs[:12]]
    for index in range(len(head) - 1):
        party, government = _PARTY_LINE.match(head[index]), _GOVERNMENT_LINE.match(head[index + 1])
        if party and government and party.group(1) == government.group(1):
            place = _longest_form(party.group(1), "\n".join([title, text]))
            return f"中共{place}委员会、{place}人民政府", f"joint issuer lines {index + 1}-{index + 2}"
    return "", ""


def _longest_form(place: str, text: str) -> str:
    """``夏铎铺镇`` → ``宁乡市夏铎铺镇`` when the text prints it under a place of the table."""
    for found in re.finditer(rf"([\u4e00-\u9fff]{{2,12}}?[{PLACE_ENDINGS}]){re.escape(place)}", text):
        for start in range(len(found.group(1)) - 1):
            if is_place(found.group(1)[start:]):
                return found.group(1)[start:] + place
    return place


def _signature(paragraphs, title, title_index, text) -> tuple[str, str]:
    # Below the title and the opening only: a short page's head is not its signature.
    agency = _signature_agency(paragraphs[(title_index or 0) + 2:])
    return (agency, "signature") if agency else ("", "")


def _title_subject(paragraphs, title, title_index, text) -> tuple[str, str]:
    subject = _TITLE_SUBJECT.match(re.sub(r"[\s\u3000]", "", title))
    if subject and "委" in subject.group(1)[:-1]:
        return "", ""          # ``中共X区委 X区人民政府``: a joint issuer, the title's own finder reads it
    named = issuer_from_subject(subject.group(1), text, is_place) if subject else ""
    return (named, "title") if named else ("", "")


def _opening_subject(paragraphs, title, title_index, text) -> tuple[str, str]:
    for number, paragraph in enumerate(paragraphs[:4], start=1):
        subject = opening_subject(paragraph)
        named = issuer_from_subject(subject, text, is_place) if subject else ""
        if subject and not named:
            # ``省农业农村厅``, ``镇宁自治县``: the name completed from the page, when it can be.
            named = issuer_from_subject(complete_issuer(subject, text), text, is_place)
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
