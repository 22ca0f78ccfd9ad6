"""The one export writer: any table (search hits, reports, concordance lines,
trend points, report cards, side by side) as CSV, JSON lines or XLSX.

- **Rows stream**: every writer takes an iterable of dicts and yields pieces
  (``CHUNK`` rows at a time), so exporting 100k hits holds a chunk, not the
  result set.  A search's rows come from ``Index.iter_hits``: its ``total``
  (full matches, or in a partial result the passages holding some words).
- **Formula-safe**, as OWASP's "CSV injection" advice says: a CSV cell that
  starts with ``=`` ``+`` ``-`` ``@``, a tab or a CR gets a leading ``'``, so
  a spreadsheet shows it as text; XLSX cells holding text are written as
  strings (never ``<f>``), whatever they start with.  JSON lines are data,
  written as they are.
- **Self-describing**: the XLSX has a second sheet ``查询`` (query, filters,
  sort, date, index generation, counts), a frozen header row and Chinese
  headers (:data:`LABELS`).  A CSV's first line is its header, because Excel,
  WPS, pandas and R all read a CSV that way and ``#`` lines would land in the
  data (pandas' ``comment=`` would also cut a passage at its first ``#``); its
  provenance goes in a sidecar (:func:`sidecar`), W3C CSVW's
  ``<file>.csv-metadata.json``.  CSV is UTF-8 with a BOM (so Excel reads the
  Chinese) and CRLF line ends (RFC 4180), for every table.
- **Named**: :func:`file_name` says the table, the query and the date.

URLs come whole from the caller (``indexer.render`` builds them); this module
never spells one.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import tempfile
from typing import Callable, Iterable, Iterator, Sequence

from .cite import gbt7714, today

# The columns of a search export, in order; a field the hit gains (the
# reader's ``doc_type`` …) is one more name here and in ``LABELS``.
COLUMNS = ("passage_id", "url", "title", "agency", "agency_kind", "agency_level", "province", "city",
           "county", "year", "date", "section", "category", "text", "citation", "match", "doc_type")
# The one Chinese label of each field: the web's facet headings and filter
# chips, and every table's column headers (XLSX header row, CSVW ``titles``).
LABELS = {
    "passage_id": "段落编号", "report_id": "报告编号", "id": "报告编号", "url": "链接", "title": "标题",
    "display_title": "显示标题", "agency": "机构", "agency_kind": "机构类别", "agency_level": "层级",
    "province": "省份", "city": "城市", "county": "区县", "year": "年份", "date": "日期",
    "section": "章节", "category": "部分", "text": "段落正文", "citation": "引用（GB/T 7714）",
    "match": "匹配", "passages": "段落数", "sections": "含有的部分", "source_url": "原文网址",
    "missing": "缺少必备内容", "timeliness": "按时公开", "deadline": "截止日期", "days_late": "逾期天数",
    "copied_passages": "与他报告雷同的段落数", "left": "左侧上下文", "right": "右侧上下文",
    "position": "位置", "query": "查询", "group": "分组", "reports": "报告数（份）",
    "reports_in_year": "当年报告数（份）", "share": "占当年报告比例", "status": "发布状态",
    "length": "字数", "doc_type": "文档类型", "coverage": "正文保留比例", "figures": "数字数", "matched": "含查询词",
    "report": "报告", "copied": "与他报告雷同的段落",
}
CHUNK = 500                 # rows per piece of output
XLSX_CELL_MAX = 32767       # Excel's limit on a cell's characters
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson; charset=utf-8",
               "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
FORMATS = tuple(MEDIA_TYPES)
SIDECAR_MEDIA_TYPE = "application/csvm+json"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def export_rows(hits: Iterable[dict], url_of: Callable[[str], str] = lambda passage_id: passage_id,
                accessed: str | None = None) -> Iterator[dict]:
    """One row per hit with :data:`COLUMNS`; ``url_of(passage_id)``: the
    passage's URL (``indexer.api.export_rows`` passes the URL builder's)."""
    accessed = accessed or today()
    for hit in hits:
        row = {name: hit.get(name) for name in COLUMNS}
        row["url"] = url_of(hit["passage_id"])
        row["citation"] = gbt7714(hit, hit, row["url"], accessed)
        yield {k: ("" if v is None else v) for k, v in row.items()}


def write(fmt: str, rows: Iterable[dict], columns: Sequence[str] = COLUMNS,
          about: dict | None = None) -> Iterator[str | bytes]:
    """``rows`` (dicts; missing keys are empty) as ``fmt`` in pieces: text
    for csv and jsonl, bytes for xlsx.  ``about``: the provenance
    (:func:`provenance`) the XLSX shows on its sheet ``查询``."""
    columns = tuple(columns)
    if fmt == "csv":
        return csv_chunks(rows, columns)
    if fmt == "jsonl":
        return jsonl_chunks(rows, columns)
    if fmt == "xlsx":
        return xlsx_chunks(rows, columns, about)
    raise ValueError(f"no such export format: {fmt}")


def chunks(fmt: str, rows: Iterable[dict], columns: Sequence[str] = COLUMNS, about: dict | None = None):
    """The search export's writer (kept for callers of the earlier name)."""
    return write(fmt, rows, columns, about)


def safe_cell(value) -> str:
    """A value as a CSV cell a spreadsheet shows as text, never runs as a formula
    (a number stays a number: ``-3`` days late is no formula)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    text = "" if value is None else _flat(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_chunks(rows: Iterable[dict], columns: Sequence[str] = COLUMNS) -> Iterator[str]:
    """CSV text in pieces: UTF-8 BOM, a header of the column names, CRLF line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(columns)
    for n, row in enumerate(rows, 1):
        writer.writerow([safe_cell(row.get(name)) for name in columns])
        if n % CHUNK == 0:
            yield _drain(buffer)
    yield _drain(buffer)


def jsonl_chunks(rows: Iterable[dict], columns: Sequence[str] = COLUMNS) -> Iterator[str]:
    """Rows as JSON lines with ``columns``, in pieces of :data:`CHUNK` rows."""
    lines = []
    for row in rows:
        lines.append(json.dumps({name: row.get(name) for name in columns}, ensure_ascii=False))
        if len(lines) == CHUNK:
            yield "\n".join(lines) + "\n"
            lines = []
    if lines:
        yield "\n".join(lines) + "\n"


def xlsx_chunks(rows: Iterable[dict], columns: Sequence[str] = COLUMNS, about: dict | None = None,
                block: int = 1 << 16) -> Iterator[bytes]:
    """An XLSX workbook in pieces.  openpyxl's write-only mode keeps each row
    only until it is written to a temporary file; the finished zip is then read
    back in blocks (a zip's directory comes last, so it cannot go out earlier)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("结果")
    sheet.freeze_panes = "A2"
    sheet.append([_xlsx_cell(sheet, LABELS.get(name, name)) for name in columns])
    count = 0
    for row in rows:
        sheet.append([_xlsx_cell(sheet, row.get(name)) for name in columns])
        count += 1
    query_sheet = workbook.create_sheet("查询")
    for label, value in _about_lines({**(about or {}), "rows": count}, columns):
        query_sheet.append([_xlsx_cell(query_sheet, label), _xlsx_cell(query_sheet, value)])
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        workbook.save(path)
        with open(path, "rb") as file:
            while data := file.read(block):
                yield data
    finally:
        os.unlink(path)


def provenance(table: str, query: str | list[str] = "", filters: dict | None = None, sort: str = "",
               generation: str = "", counts: dict | None = None, base_url: str = "", source: str = "") -> dict:
    """What an export came from: the table (``search``, ``kwic`` …), query,
    filters, sort, the index generation, the counts the page showed (keys say
    what they count), the base URL of its links, the page's address, the time."""
    return {"table": table, "query": query, "filters": {k: v for k, v in (filters or {}).items() if v},
            "sort": sort, "exported_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "index_generation": generation, "counts": counts or {}, "base_url": base_url, "source": source}


def sidecar(about: dict, columns: Sequence[str], csv_name: str) -> dict:
    """The CSV's provenance as W3C CSVW metadata (``<file>.csv-metadata.json``):
    the table's columns with their Chinese titles, and ``about`` under ``notes``."""
    return {"@context": "http://www.w3.org/ns/csvw", "url": csv_name,
            "dc:created": about.get("exported_at", ""), "dialect": {"encoding": "utf-8", "lineTerminators": ["\r\n"]},
            "tableSchema": {"columns": [{"name": c, "titles": LABELS.get(c, c)} for c in columns]},
            "notes": about}


ABOUT_LABELS = {"table": "表", "query": "查询", "filters": "筛选", "sort": "排序", "exported_at": "导出时间",
                "index_generation": "索引版本", "base_url": "链接前缀", "source": "来源页面", "rows": "导出行数"}


def _about_lines(about: dict, columns: Sequence[str]) -> Iterator[tuple[str, str]]:
    """The ``查询`` sheet: one (label, value) line per fact, each count on its own line."""
    for key, label in ABOUT_LABELS.items():
        value = about.get(key)
        if key == "table":
            value = TABLE_NAMES.get(value, value)
        elif key == "filters":
            value = "；".join(f"{LABELS.get(k, k)}={'、'.join(map(str, v))}" for k, v in (value or {}).items())
        elif isinstance(value, list):
            value = "、".join(map(str, value))
        yield label, "" if value is None else value
    for name, value in (about.get("counts") or {}).items():
        yield name, value
    yield "列", "、".join(f"{LABELS.get(c, c)}（{c}）" for c in columns)


def file_name(table: str, query: str | list[str], fmt: str, day: str | None = None) -> str:
    """``fazhi-搜索-营商环境-2025-05-01.csv``: the table, the query (its
    letters, digits and CJK, cut to 30) and the day; the user's own text never
    brings a path separator, quote or control character into it."""
    q = " ".join(query) if isinstance(query, list) else (query or "")
    words = re.sub(r"[^\w\u3400-\u9fff]+", "_", q, flags=re.UNICODE).strip("_")[:30]
    return "-".join(filter(None, ["fazhi", TABLE_NAMES.get(table, table), words, day or today()])) + f".{fmt}"


TABLE_NAMES = {"search": "搜索", "reports": "报告", "kwic": "语境", "trend": "趋势", "cards": "报告卡",
               "compare": "对照"}


def _xlsx_cell(sheet, value):
    """A cell of the write-only ``sheet``: text always a string cell (type
    ``s``), numbers as numbers.  openpyxl makes text a string cell by itself
    except text that starts with ``=``, which it would write as a formula
    (``<f>``): that text gets a cell typed ``s`` by hand."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if value is None or isinstance(value, (bool, int, float)):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("", _flat(value))[:XLSX_CELL_MAX]
    if not text.startswith("="):
        return text
    cell = WriteOnlyCell(sheet)
    cell.value = text
    cell.data_type = "s"
    return cell


def _flat(value) -> str:
    """A list (a report's categories, a card's missing parts) as one cell."""
    if isinstance(value, (list, tuple)):
        return "；".join(map(str, value))
    return str(value)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
