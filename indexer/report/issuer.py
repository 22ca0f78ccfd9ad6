"""Who issued a report, when the page has no 发布机构 line: from the title, the
opening sentence and the names the text itself prints; and what kind and level
of body that is.

Rules for kinds of names, never lists of places: a place is a place because
addressparser's administrative-division table says so (see ``region``).
"""
from __future__ import annotations

import re

from .patterns import AGENCY_SUFFIX, PLACE_ENDINGS

_CJK = r"\u4e00-\u9fff"
_VERBS = ("始终|坚持|以|全面|深入|认真|忠诚|紧紧|紧扣|围绕|持续|聚焦|牢牢|切实|立足|积极|扎实|在|不断|大力|着力|统筹"
          "|严格|高度重视|按照|根据|进一步|锚定|践行|贯彻")
# The subject of a report's opening sentence: ``2024年，在…领导下，乌鲁木齐市坚持…``.
_OPENING_SUBJECT = re.compile(
    rf"(?:^|(?<=[，,。；]))\s*(?:(?:19|20)\d{{2}}\s*年(?:以来|度)?\s*[，,]\s*)(?:[^，,。；]*?下\s*[，,]\s*)*"
    rf"(?P<subject>[{_CJK}、]{{2,24}}?)(?:{_VERBS})")
# ``我局``, ``本委``: the issuer speaking of itself (group 1: its kind of body),
# named in full only where the text prints the name (``full_name_in_text``).
WE_WORD = re.compile(r"^(?:我|本)(局|委|厅|办|院|部|署|处)$")
# ``云南省委、省政府``: the party committee and the government of one place, jointly.
_JOINT = re.compile(rf"^(?:中共)?(?P<place>[{_CJK}]{{2,12}}?)(?P<tier>省|市|县|区|州|自治区)(?P<party>党)?委\s*[、和]\s*"
                    rf"(?:(?P=place))?(?P=tier)?(?:人民)?政府$")
_STREET = re.compile(rf"^[{_CJK}]{{2,6}}街道$")
_TOWN = re.compile(rf"^[{_CJK}]{{1,6}}(镇|乡)$")
_MINISTRY = re.compile(rf"^[{_CJK}]{{2,10}}部$")
_STATE = "中华人民共和国"


def issuer_from_subject(subject: str, text: str, is_place) -> str:
    """The full name of the body a report's opening or title names as its
    subject: ``我局`` → the place-prefixed ``…局`` the text prints; ``教育厅`` →
    ``四川省教育厅`` when the text prints that; a place → its 人民政府; a street
    or a town → its 街道办事处 / 人民政府; a ministry → 中华人民共和国…部.
    ``is_place(name)`` says whether a name is a whole administrative division."""
    subject = subject.strip()
    joint = _JOINT.match(subject)
    if joint:
        place = joint.group("place") + joint.group("tier")
        # ``自治区党委和政府``: 党委 is no name but the word for its 委员会.
        return f"中共{place}{'委员会' if joint.group('party') else '委'}、{place}人民政府"
    we = WE_WORD.match(subject)
    if we:
        return full_name_in_text(we.group(1), text, is_place)
    if re.search(rf"{AGENCY_SUFFIX}$", subject) and not is_place(subject):
        named = full_name_in_text(subject, text, is_place)
        if named:
            return named
        if _MINISTRY.match(subject) and not subject.startswith(_STATE):
            return _STATE + subject
        return subject if _has_place_prefix(subject, is_place) else ""
    if _STREET.match(subject):
        return subject + "办事处"
    if _TOWN.match(subject):
        return subject + "人民政府"
    if is_place(subject):
        return subject + "人民政府"
    return ""


_UNDATED_SUBJECT = re.compile(rf"^(?:[^，,。；]*?下\s*[，,]\s*)*(?P<subject>[{_CJK}、]{{2,24}}?)(?:{_VERBS})")


# ``2025年，汕尾市退役军人事务局在市委、市政府的坚强领导下，…``: the subject stands before 在…下.
_SUBJECT_BEFORE_LEAD = re.compile(
    rf"^\s*(?:19|20)\d{{2}}\s*年(?:以来|度)?\s*[，,]?\s*(?P<subject>[{_CJK}、]{{2,24}}?)在[^，,。；]{{2,40}}?(?:领导|指导|监督)下")


def opening_subject(paragraph: str) -> str:
    """``2023年，清波街道以…`` → ``清波街道``: who the opening says acted."""
    found = _SUBJECT_BEFORE_LEAD.match(paragraph[:300]) or _OPENING_SUBJECT.search(paragraph[:300]) \
        or _UNDATED_SUBJECT.match(paragraph)
    return found.group("subject") if found else ""


_SHORT_GOVERNMENT = re.compile(rf"^(?P<place>[{_CJK}]{{2,20}}?)政府$")


def printed_in_full(agency: str, is_place) -> str:
    """The full name of a body a page names by a common short form: a place's
    ``…县政府`` is its ``…县人民政府``; a ministry named without the state
    (``农业农村部``) is the ``中华人民共和国农业农村部``.  Anything else as it is."""
    short = _SHORT_GOVERNMENT.match(agency)
    if short and not agency.endswith("人民政府") and is_place(short.group("place")):
        return short.group("place") + "人民政府"
    if _MINISTRY.match(agency) and not agency.startswith(_STATE) and not re.search(rf"[{PLACE_ENDINGS}]", agency):
        return _STATE + agency
    return agency


def full_name_in_text(ending: str, text: str, is_place) -> str:
    """The first place-prefixed name in ``text`` that ends like ``ending``
    (``局``, ``委``, ``教育厅``): how a report that says only 我局 names itself
    elsewhere (``《龙岩市永定区卫生健康局…实施方案》``).  A party committee's
    office (``中共…区委机构编制委员会``) is not the issuer."""
    endings = {"委": "(?:委员会|委)"}.get(ending, re.escape(ending))
    pattern = re.compile(rf"(?<!中共)([{_CJK}]{{2,9}}?[{PLACE_ENDINGS}])([{_CJK}]{{0,10}}?){endings}(?![{_CJK}]*?(?:会议|规定))")
    for found in pattern.finditer(text):
        place, middle = found.group(1), found.group(2)
        if "委" in middle or "中共" in text[max(0, found.start() - 2):found.start()]:
            continue
        if not (_field_named_elsewhere(found.group(0), text) or _own_document(found, text)):
            continue        # 配合龙岩市公安局… in a 卫生健康局's report: its field is named nowhere else
        if is_place(place) or _has_place_prefix(place, is_place):
            return found.group(0)
    return ""


def _field_named_elsewhere(name: str, text: str) -> bool:
    """Whether the text speaks of the body's field (卫生健康, 公安 …) outside its name."""
    kind = agency_kind(name)
    words = dict(AGENCY_KINDS).get(kind)
    return words is None or kind in ("人民政府", "街道/乡镇", "党委和政府") \
        or bool(words.search(text.replace(name, "")))


def _own_document(found: re.Match, text: str) -> bool:
    """A name that opens a cited document's title (``《江门市新会区统计局2022年…计划》``)
    whose field the text speaks of elsewhere (``法治统计建设``): the body's own plan."""
    if text[max(0, found.start() - 1):found.start()] != "《":
        return False
    field = re.sub(rf"{AGENCY_SUFFIX}$", "", found.group(0))[-2:]
    return len(field) == 2 and field in text.replace(found.group(0), "")


def _has_place_prefix(name: str, is_place) -> bool:
    for end in range(len(name) - 1, 1, -1):
        if name[end - 1] in PLACE_ENDINGS and is_place(name[:end]):
            return True
    return False


# --- kind and level -------------------------------------------------------

# (kind, words that name it in an agency's name), checked in this order: a
# 公安局 of a 人民政府 is 公安, a 街道办事处 is 街道/乡镇 whatever else it says.
AGENCY_KINDS = (
    ("党委和政府", re.compile(r"委\s*[、和]\s*\S*政府$")),
    ("街道/乡镇", re.compile(r"(街道办事处|街道|[镇乡]人民政府|[镇乡])$")),
    ("卫生健康", re.compile(r"卫生(健康|和计划生育|局|部|厅|委)|卫健")),
    ("公安", re.compile(r"公安")),
    ("司法", re.compile(r"司法")),
    ("市场监管", re.compile(r"市场监督管理|市场监管")),
    ("教育", re.compile(r"教育")),
    ("生态环境", re.compile(r"生态环境|环境保护")),
    ("住房城乡建设", re.compile(r"住房和城乡建设|住房城乡建设|住建")),
    ("交通运输", re.compile(r"交通运输|交通局|交通委")),
    ("应急管理", re.compile(r"应急管理")),
    ("财政", re.compile(r"财政")),
    ("民政", re.compile(r"(?<!人)民政")),
    ("自然资源", re.compile(r"自然资源|国土资源|土地资源|规划和自然")),
    ("人力资源社会保障", re.compile(r"人力资源")),
    ("农业农村", re.compile(r"农业")),
    ("水利", re.compile(r"水利|水务")),
    ("商务", re.compile(r"商务")),
    ("发展改革", re.compile(r"发展和改革|发展改革|发改")),
    ("科技", re.compile(r"科学技术|科技局|科技厅")),
    ("工业和信息化", re.compile(r"工业和信息化|经济和信息化|经信")),
    ("文化和旅游", re.compile(r"文化和旅游|文化广电|文旅")),
    ("税务", re.compile(r"税务")),
    ("审计", re.compile(r"审计")),
    ("统计", re.compile(r"统计局")),
    ("医疗保障", re.compile(r"医疗保障|医保局")),
    ("退役军人事务", re.compile(r"退役军人")),
    ("海关", re.compile(r"海关")),
    ("金融", re.compile(r"外汇管理|金融|银行|证券|保险监督")),
    ("人大", re.compile(r"人民代表大会|人大常委会")),
    ("人民政府", re.compile(r"人民政府(办公厅|办公室)?$|^国务院")),
)
KIND_OTHER = "其他"
LEVELS = ("国家", "省", "市", "县", "乡镇街道")


def agency_kind(agency: str) -> str:
    """The kind of body (``卫生健康``, ``公安``, ``人民政府``, ``街道/乡镇`` …);
    empty when there is no agency."""
    if not agency:
        return ""
    for kind, words in AGENCY_KINDS:
        if words.search(agency):
            return kind
    return KIND_OTHER


def agency_level(agency: str, kind: str, province: str, city: str, county: str) -> str:
    """国家, 省, 市, 县 or 乡镇街道 from the kind and the resolved region; empty
    when neither says (a body with no place and no national name)."""
    if not agency:
        return ""
    if is_national(agency):
        return "国家"
    if kind == "街道/乡镇":
        return "乡镇街道"
    if county:
        return "县"
    if city and city != province:
        return "市"
    if province:
        return "省"
    return ""


def is_national(agency: str) -> bool:
    """A body of the central state: 中华人民共和国…, 国家…, 国务院, a ministry
    (``商务部``) or a 总局/总署 that names no place."""
    if agency.startswith((_STATE, "国家", "国务院", "全国", "中共中央")):
        return True
    names_place = re.search(rf"[{PLACE_ENDINGS}]", agency)
    return not names_place and bool(_MINISTRY.match(agency) or re.search(r"(总局|总署)$", agency))
