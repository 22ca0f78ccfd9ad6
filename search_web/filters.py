"""What templates may use besides the page dict: the URL builders and a few
display helpers.  Keeping them here keeps the templates free of logic."""
from __future__ import annotations

import re

from flask import Flask
from indexer.api import MAX_QUERY, made_up_title

from . import urls
from .params import FACET_LABELS
from .params import VALUE_LABELS

SORT_LABELS = {"relevance": "相关度", "date": "日期（新→旧）", "date_asc": "日期（旧→新）"}
GROUP_LABELS = {"passage": "按段落", "report": "按报告"}
EXPORT_LABELS = {"csv": "CSV", "xlsx": "Excel", "jsonl": "JSON Lines", "ris": "RIS 引文（按报告，EndNote/NoteExpress 可导入）"}
REPORT_SORT_LABELS = {"date": "日期（新→旧）", "agency": "机构", "title": "标题"}
FORMAT_LABELS = {"txt": "纯文本", "md": "Markdown", "html": "网页", "docx": "Word 文档", "pdf": "PDF"}


def region(item: dict) -> str:
    """``广东省 潮州市 湘桥区`` without repeats or blanks."""
    parts: list[str] = []
    for key in ("province", "city", "county"):
        value = item.get(key) or ""
        if value and value not in parts:
            parts.append(value)
    return " ".join(parts)


def display_title(item: dict) -> str:
    """The report's own title, or one made from its issuer and year, marked
    〔无标题〕 (the page printed none)."""
    return item.get("title") or made_up_title(item.get("agency", ""), item.get("year"), item.get("doc_type", ""))


def year_label(value) -> str:
    """``2022年``, or 年份不详 for a report without a year."""
    return f"{value}年" if value not in (None, "", 0, "0") else "年份不详"


# Where the reader found a value (``sources``, English in the library and the
# JSON), said in Chinese on the page: one rule per kind of place, in order.
_SOURCE_WORDS = [
    (r"^manifest$", "清单文件 manifest.csv"), (r"^agency name$", "机构名称"), (r"^signature$", "文末落款"),
    (r"^title$", "标题"), (r"^meta (\S+)$", r"网页元数据 \1"),
    (r"^title paragraph (\d+)", r"标题（第 \1 段）"), (r"^opening paragraph (\d+) \((.+?)\)", r"开头第 \1 段（“\2”）"),
    (r"^opening paragraph (\d+)", r"开头第 \1 段"), (r"^paragraph (\d+)", r"第 \1 段"),
    (r"^byline page line (\d+)", r"署名行（网页第 \1 行）"), (r"^byline line (\d+)", r"署名行（第 \1 行）"),
    (r"^(\S+) page line (\d+)", r"“\1”（网页第 \2 行）"), (r"^(\S+) line (\d+)", r"“\1”（第 \2 行）"),
    (r"^city named in the opening$", "开头提到的城市"), (r"^county named in the opening$", "开头提到的县区"),
]
_SOURCE_ADDITIONS = {"city of the district": "补上区县所属的城市", "county named in the opening": "补上开头提到的县区",
                     "name in text": "依正文中的全称"}


def source_label(source: str) -> str:
    """``byline line 8`` → 署名行（第 8 行）; ``title + city of the district`` →
    标题，补上区县所属的城市.  An unknown form is shown as it is."""
    first, *added = [part.strip() for part in str(source).split(" + ")]
    for pattern, words in _SOURCE_WORDS:
        if re.match(pattern, first):
            first = re.sub(pattern, words, first)
            break
    return "，".join([first, *(_SOURCE_ADDITIONS.get(a, a) for a in added)])


def register(app: Flask) -> None:
    """Install the template filters."""
    app.add_template_filter(source_label)
    app.add_template_filter(region)
    app.add_template_filter(year_label)
    app.add_template_filter(display_title)

    @app.context_processor
    def helpers() -> dict:
        return {"urls": urls, "FACET_LABELS": FACET_LABELS, "SORT_LABELS": SORT_LABELS,
                "GROUP_LABELS": GROUP_LABELS, "REPORT_SORT_LABELS": REPORT_SORT_LABELS, "EXPORT_LABELS": EXPORT_LABELS,
                "FORMAT_LABELS": FORMAT_LABELS, "VALUE_LABELS": VALUE_LABELS,
                "MAX_QUERY": MAX_QUERY,      # every query box's maxlength: the library's limit
                # Links to what reads the embedded index's own files (exports of every hit, the
                # research tools, the report list) are left out on a cluster backend, which answers
                # them 501: the pages' JSON twins stay the embedded index's.
                "EMBEDDED": not app.config.get("BACKEND")}
