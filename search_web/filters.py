"""What templates may use besides the page dict: the URL builders and a few
display helpers.  Keeping them here keeps the templates free of logic."""
from __future__ import annotations

from flask import Flask
from indexer.api import made_up_title

from . import urls
from .params import FACET_LABELS
from .params import VALUE_LABELS

SORT_LABELS = {"relevance": "相关度", "date": "日期（新→旧）"}
GROUP_LABELS = {"passage": "按段落", "report": "按报告"}
EXPORT_LABELS = {"csv": "CSV", "xlsx": "Excel", "jsonl": "JSON Lines"}
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
    return item.get("title") or made_up_title(item.get("agency", ""), item.get("year"))


def year_label(value) -> str:
    return f"{value}年" if value not in (None, "", 0, "0") else "年份不详"


def register(app: Flask) -> None:
    app.add_template_filter(region)
    app.add_template_filter(year_label)
    app.add_template_filter(display_title)

    @app.context_processor
    def helpers() -> dict:
        return {"urls": urls, "FACET_LABELS": FACET_LABELS, "SORT_LABELS": SORT_LABELS,
                "GROUP_LABELS": GROUP_LABELS, "REPORT_SORT_LABELS": REPORT_SORT_LABELS, "EXPORT_LABELS": EXPORT_LABELS,
                "FORMAT_LABELS": FORMAT_LABELS, "VALUE_LABELS": VALUE_LABELS}
