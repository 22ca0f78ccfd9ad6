"""Exporting a whole search (not a page) as CSV, JSON lines or XLSX.

Rows come from ``Index.iter_hits`` one at a time and each writer streams them
out in chunks, so exporting 100k hits holds a chunk, not the result set, in
memory.  The rows are the search's ``total``: its full matches (``match``:
``all``), or in a partial result the passages holding some of the words
(``some``); passages missing one word are shown after them on the page but not
exported unless asked for (``near``).  The columns are the same in every
format; any field the report table gains (the reader's ``agency_kind``,
``agency_level``) fills its column.
"""
from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from typing import Iterable, Iterator

from .cite import gbt7714, today

COLUMNS = ("passage_id", "url", "title", "agency", "agency_kind", "agency_level", "province", "city",
           "county", "year", "date", "section", "category", "text", "citation", "match", "doc_type")
CHUNK = 500                 # rows per piece of output
XLSX_CELL_MAX = 32767       # Excel's limit on a cell's characters
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson; charset=utf-8",
               "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
FORMATS = tuple(MEDIA_TYPES)


def export_rows(hits: Iterable[dict], base_url: str = "", accessed: str | None = None) -> Iterator[dict]:
    """One row per hit with :data:`COLUMNS`; ``base_url`` makes the passage URLs absolute."""
    accessed = accessed or today()
    for hit in hits:
        url = f"{base_url.rstrip('/')}/p/{hit['passage_id']}"
        row = {name: hit.get(name) for name in COLUMNS}
        row["url"] = url
        row["citation"] = gbt7714(hit, hit, url, accessed)
        yield {k: ("" if v is None else v) for k, v in row.items()}


def csv_chunks(rows: Iterable[dict]) -> Iterator[str]:
    """CSV text in pieces; a UTF-8 BOM first so Excel reads the Chinese right."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writeheader()
    for n, row in enumerate(rows, 1):
        writer.writerow(row)
        if n % CHUNK == 0:
            yield _drain(buffer)
    yield _drain(buffer)


def jsonl_chunks(rows: Iterable[dict]) -> Iterator[str]:
    lines = []
    for row in rows:
        lines.append(json.dumps(row, ensure_ascii=False))
        if len(lines) == CHUNK:
            yield "\n".join(lines) + "\n"
            lines = []
    if lines:
        yield "\n".join(lines) + "\n"


def xlsx_chunks(rows: Iterable[dict], block: int = 1 << 16) -> Iterator[bytes]:
    """An XLSX workbook in pieces.  openpyxl's write-only mode keeps each row
    only until it is written to a temporary file; the finished zip is then read
    back in blocks (a zip's directory comes last, so it cannot go out earlier)."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("hits")
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append([_cell(row[name], ILLEGAL_CHARACTERS_RE) for name in COLUMNS])
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        workbook.save(path)
        with open(path, "rb") as file:
            while data := file.read(block):
                yield data
    finally:
        os.unlink(path)


def chunks(fmt: str, rows: Iterable[dict]) -> Iterator[str | bytes]:
    writers = {"csv": csv_chunks, "jsonl": jsonl_chunks, "xlsx": xlsx_chunks}
    return writers[fmt](rows)


def _cell(value, illegal):
    if isinstance(value, str):
        return illegal.sub("", value)[:XLSX_CELL_MAX]
    return value


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
