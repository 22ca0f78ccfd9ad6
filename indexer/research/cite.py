"""Citations: a passage as a reference a paper can use.

GB/T 7714-2015 for an online document (电子资源, ``[EB/OL]``):
``责任者. 题名[EB/OL]. (发布日期)[引用日期]. 获取和访问路径.`` — the issuing
agency, the report's title, its date (its year when no date is stated), the day
it was accessed, the URL of the original when the manifest gives one; then the
passage's place and permanent link in this collection.
"""
from __future__ import annotations

import datetime as dt


def today() -> str:
    return dt.date.today().isoformat()


def gbt7714(report: dict, passage: dict, passage_url: str, accessed: str | None = None) -> str:
    """``report``: its metadata (agency, title, date, year, source_url);
    ``passage``: its ordinal and section."""
    title = report.get("title") or report.get("id", "")
    head = f"{report['agency']}. " if report.get("agency") else ""
    published = report.get("date") or (str(report["year"]) if report.get("year") else "")
    line = f"{head}{title}[EB/OL]. " + (f"({published})" if published else "") + f"[{accessed or today()}]."
    source = report.get("source_url") or ""
    if source.startswith(("http://", "https://")):
        line += f" {source}."
    place = "，".join(filter(None, [passage.get("section", ""), f"第{passage['ordinal']}段"]))
    return f"{line} 引文见{place}：{passage_url}"
