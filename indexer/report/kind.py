"""What kind of document a report is: a 法治政府建设 annual report, a 政府工作报告,
a 政府信息公开 annual report, or something else (a notice, a plan, a resolution).

Decided by the names the document gives itself, strongest first: its title (as
printed, declared or given by a manifest), then a sentence of its opening that
names it (``现将《…情况报告》予以公布``, ``现将…年度法治政府建设工作报告如下``,
``我代表国务院，向大会作政府工作报告``); failing both, by what its opening is
about (a report whose first paragraphs speak of 法治政府建设 or 依法行政 is one).
A name decides by its last words: ``…的通知`` is a notice whatever it mentions,
``关于政府工作报告的决议`` a resolution.
"""
from __future__ import annotations

import re

from ..model import DOC_TYPE_DISCLOSURE, DOC_TYPE_OTHER, DOC_TYPE_RULE_OF_LAW, DOC_TYPE_WORK_REPORT

# A document that is not a report: what its name ends with (``…实施方案``, ``…的通知``).
_OTHER_ENDINGS = re.compile(
    r"(意见|通知|通报|办法|规定|方案|决定|决议|公告|通告|批复|纲要|条例|规则|细则|函|令|要点|计划|规划|清单|目录"
    r"|讲话|公报|备忘录|预算|决算|解读|指引|指南|标准)$")
_REPORT_ENDINGS = re.compile(r"(报告|总结|情况)$")
_DISCLOSURE = re.compile(r"政府?信息公开")
_WORK_REPORT = re.compile(r"政府工作报告")
# 法治政府建设 and its close kin: 法治建设工作报告, 依法行政工作报告, 法治政府建设工作总结.
_RULE_OF_LAW = re.compile(r"法治|依法行政|依法治[国省市县区]")
# A trailing bracket (``（摘要）``, ``（2023年度）``) or a validity tag does not end a name.
_TRAILING_NOTE = re.compile(r"\s*[（(【\[][^（）()【】\[\]]{0,12}[）)】\]]\s*$")
# Sentences of an opening that name the report itself.
_NAMED_REPORT = (
    re.compile(r"现将《([^》]{4,80})》"),
    re.compile(r"现将([^，。；：:《》]{4,80}?(?:报告|总结|情况))(?:报告)?如下"),
    re.compile(r"向[^，。；]{0,30}?(?:大会|代表)[^，。；]{0,6}?(?:作|做)?[^，。；]{0,4}?(政府工作报告)"),
)
_ADDRESSES_CONGRESS = re.compile(r"向[^，。；]{0,30}?(?:人民代表大会|大会)[^，。；]{0,8}?报告[^，。；]{0,12}?政府工作")
_OPENING_CHARS = 1500


def kind_of_name(name: str) -> str:
    """The kind a document's own name says, or "" when the name does not say."""
    name = re.sub(r"[\s\u3000]", "", name or "")
    while _TRAILING_NOTE.search(name):
        name = _TRAILING_NOTE.sub("", name)
    name = name.rstrip("。！!")
    if not name:
        return ""
    if _OTHER_ENDINGS.search(name):
        return DOC_TYPE_OTHER
    if not _REPORT_ENDINGS.search(name):
        return ""
    if _DISCLOSURE.search(name):
        return DOC_TYPE_DISCLOSURE
    if _WORK_REPORT.search(name):
        return DOC_TYPE_WORK_REPORT
    if _RULE_OF_LAW.search(name):
        return DOC_TYPE_RULE_OF_LAW
    return ""


def document_kind(title: str, paragraphs: list[str]) -> tuple[str, str]:
    """(kind, where it was decided): one of ``model.DOC_TYPES``."""
    kind = kind_of_name(title)
    if kind:
        return kind, "title"
    opening = "\n".join(paragraphs[:6])[:_OPENING_CHARS]
    for pattern in _NAMED_REPORT:
        for found in pattern.finditer(opening):
            kind = kind_of_name(found.group(1))
            if kind:
                return kind, f"named in the opening ({found.group(0)[:40]})"
    if _ADDRESSES_CONGRESS.search(opening):
        return DOC_TYPE_WORK_REPORT, "opening (报告政府工作)"
    first = "\n".join(paragraphs[:3])[:_OPENING_CHARS]
    if re.search(r"法治政府建设|依法行政|法治建设", first) and len(re.findall(r"法治|依法行政|依法治|执法", opening)) >= 2:
        return DOC_TYPE_RULE_OF_LAW, "opening (法治政府建设)"
    return DOC_TYPE_OTHER, "no report kind named"
