"""Citations: a passage or a report as a reference a paper can use.

GB/T 7714-2015 for an online document (电子资源, ``[EB/OL]``):
``责任者. 题名[EB/OL]. (发布日期)[引用日期]. 获取和访问路径.`` — the issuing
agency, the report's title, its date (its year when no date is stated), the day
it was accessed, the URL of the original when the manifest gives one; then the
passage's place and permanent link in this collection.  A report whose page
shows no title is cited by its made-up display title (marked 〔无标题〕, from
issuer and year), never by its id.

RIS (``ris``) is the same reference for a reference manager: EndNote, Zotero
and NoteExpress import it.  The URLs come in whole from the caller (the URL
builder, ``indexer.render``), already absolute.
"""
from __future__ import annotations

import datetime as dt
import re
from urllib.parse import unquote

from ..model import made_up_title


def today() -> str:
    """Today's date, ISO, as a citation's access date."""
    return dt.date.today().isoformat()


def cited_title(report: dict) -> str:
    """The report's own title, else the display title made from issuer and year."""
    return report.get("title") or made_up_title(report.get("agency") or "", report.get("year"))


def shown_url(url: str) -> str:
    """An original's http(s) URL as a reader reads it (else ""): the
    percent-escapes of UTF-8 text decoded, for display only.  Escapes of ASCII
    (``%2F``, ``%3F``, ``%20`` …) stay, so the URL still names the same page;
    bytes that are not UTF-8 (a GBK query) stay escaped."""
    if not url.startswith(("http://", "https://")):
        return ""
    return _NON_ASCII_ESCAPES.sub(_decoded, url)


_NON_ASCII_ESCAPES = re.compile(r"(?:%[89A-Fa-f][0-9A-Fa-f])+")


def _decoded(match: re.Match) -> str:
    try:
        text = unquote(match.group(), errors="strict")
    except UnicodeDecodeError:
        return match.group()
    return match.group() if any(c.isspace() or not c.isprintable() for c in text) else text


def gbt7714(report: dict, passage: dict | None, permalink: str, accessed: str | None = None) -> str:
    """``report``: its metadata (agency, title, date, year, source_url);
    ``passage``: its ordinal and heading path, key ``section`` (None: the report as a whole);
    ``permalink``: the page of the passage (or report) in this collection."""
    head = f"{report['agency']}. " if report.get("agency") else ""
    published = report.get("date") or (str(report["year"]) if report.get("year") else "")
    line = f"{head}{cited_title(report)}[EB/OL]. " + (f"({published})" if published else "") + \
        f"[{accessed or today()}]."
    source = shown_url(report.get("source_url") or "")
    if source:
        line += f" {source}."
    if passage is None:
        return f"{line} 本站链接：{permalink}"
    place = "，".join(filter(None, [passage.get("section", ""), f"第{passage['ordinal']}段"]))
    return f"{line} 引文见{place}：{permalink}"


def ris(report: dict, passage: dict | None, permalink: str, accessed: str | None = None) -> str:
    """One RIS record (``TY  - RPRT`` … ``ER  - ``, CRLF line ends): the report,
    the issuing agency as its (corporate) author, the passage's place and text in
    the notes when one is cited."""
    date = report.get("date") or ""
    fields = [("TY", "RPRT"), ("TI", cited_title(report)),
              ("AU", report.get("agency") or ""), ("PB", report.get("agency") or ""),
              ("PY", str(report["year"]) if report.get("year") else ""),
              ("DA", date.replace("-", "/") if date else ""),
              ("CY", " ".join(filter(None, [report.get("province"), report.get("city"), report.get("county")]))),
              ("UR", permalink), ("UR", shown_url(report.get("source_url") or "")),
              ("Y2", (accessed or today()).replace("-", "/")), ("LA", "zh"), ("DB", "fazhi-search"),
              ("ID", passage["id"] if passage else report.get("id") or "")]
    if passage is not None:
        place = "，".join(filter(None, [passage.get("section", ""), f"第{passage['ordinal']}段"]))
        fields += [("N1", f"引文见{place}"), ("AB", _one_line(passage.get("text", "")))]
    lines = [f"{tag}  - {_one_line(value)}" for tag, value in fields if value]
    return "\r\n".join(lines + ["ER  - ", ""])


def ris_of_reports(hits, url_of_report, accessed: str | None = None):
    """One RIS record per report the hits come from, in the hits' order:
    what a reference manager files is the report; ``url_of_report(id)``: its page."""
    seen: set[str] = set()
    for hit in hits:
        if hit["report_id"] not in seen:
            seen.add(hit["report_id"])
            yield ris({**hit, "id": hit["report_id"]}, None, url_of_report(hit["report_id"]), accessed)


RIS_MEDIA_TYPE = "application/x-research-info-systems; charset=utf-8"


def _one_line(text: str) -> str:
    """A RIS value is one line: line breaks inside it become spaces."""
    return " ".join(str(text).split())
