"""Export responses: every table the site offers as a file (search hits,
reports, concordance lines, trend points, report cards, side by side) goes out
through :func:`table`, written by the library's one writer
(``indexer.api.export_table``): CSV (with a CSVW sidecar, linked by a
``Link: rel="describedby"`` header), JSON lines or XLSX (with its ``查询``
sheet).  Citations go out as RIS through :func:`ris`.

Each function returns a streamed ``Response``; the body is a plain generator,
so whatever bounds concurrent exports can wrap it.  File names say the table,
the query and the day (RFC 6266 / RFC 5987: an ASCII ``filename`` and the
Chinese one in ``filename*``).
"""
from __future__ import annotations

import json
from urllib.parse import quote

from flask import Response, request, stream_with_context
from indexer import api

from . import urls

SIDECAR = "csv-metadata.json"       # the format suffix of a CSV's sidecar (W3C CSVW's name)
FORMATS = (*api.EXPORT_FORMATS, SIDECAR)


def attachment(filename: str) -> str:
    """``Content-Disposition`` for ``filename``: ASCII for old clients, UTF-8 in ``filename*``."""
    ascii_name = filename.encode("ascii", "ignore").decode().replace('"', "") or "fazhi-export"
    if ascii_name.startswith(".") or "--" in ascii_name:
        ascii_name = "fazhi-export" + ascii_name[ascii_name.rfind("."):]
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def about(table: str, query, filters: dict, index, sort: str = "", counts: dict | None = None) -> dict:
    """The provenance of an export of this request (``indexer.api.export_provenance``)."""
    generation = getattr(getattr(index, "generation", None), "path", None)
    return api.export_provenance(table, query, filters, sort, generation.name if generation else "", counts,
                                 urls.export_base(), urls.absolute(request.full_path.rstrip("?"),
                                                                   urls.citable_root()))


def table(name: str, fmt: str, rows, columns, provenance: dict) -> Response:
    """The rows of table ``name`` as ``fmt`` (or the CSV's sidecar), streamed."""
    filename = api.export_file_name(name, provenance.get("query", ""), "csv" if fmt == SIDECAR else fmt)
    if fmt == SIDECAR:
        body = json.dumps(api.export_sidecar(provenance, columns, filename), ensure_ascii=False, indent=2)
        return Response(body, content_type=api.EXPORT_SIDECAR_MEDIA_TYPE,
                        headers={"Content-Disposition": attachment(filename + "-metadata.json")})
    headers = {"Content-Disposition": attachment(filename), "Cache-Control": "no-store"}
    if fmt == "csv":
        sidecar = request.path.rsplit(".", 1)[0] + f".{SIDECAR}"
        query = request.query_string.decode("ascii", "replace")
        headers["Link"] = f'<{sidecar}{"?" + query if query else ""}>; rel="describedby"; type="{api.EXPORT_SIDECAR_MEDIA_TYPE}"'
    body = api.export_table(fmt, rows, columns, provenance)
    return Response(stream_with_context(body), content_type=api.EXPORT_MEDIA_TYPES[fmt], headers=headers)


def ris(records, filename: str) -> Response:
    """RIS records (text pieces) as a file reference managers import, UTF-8 with a BOM."""
    def body():
        yield "\ufeff"
        yield from records
    return Response(stream_with_context(body()), content_type=api.RIS_MEDIA_TYPE,
                    headers={"Content-Disposition": attachment(filename), "Cache-Control": "no-store"})


def search(index, params, fmt: str) -> Response:
    """The whole result set of a search (the search runs first: a bad query is a 400)."""
    filters = params.library_filters() or None
    hits = index.iter_hits(params.q, filters=filters, sort=params.sort)
    if fmt == "ris":
        return ris(api.ris_of_search(hits, urls.export_base()), api.export_file_name("search", params.q, "ris"))
    counts = {}
    if fmt in ("xlsx", SIDECAR):
        found = index.search(params.q, filters=filters, per_page=1)
        counts = {"段落（段）": found["total"], "报告（份）": found["reports_total"]}
    provenance = about("search", params.q, dict(params.library_filters() or {}), index, params.sort, counts)
    return table("search", fmt, api.export_rows(hits, urls.export_base()), api.EXPORT_COLUMNS, provenance)


def passage_ris(index, passage_id: str) -> Response:
    """The passage and its report as one RIS record."""
    report, passage = index.get_report_of(passage_id)
    record = api.ris(report, passage, urls.permalink(passage_id, citable=True))
    return ris([record], f"{passage_id}.ris")


def report_ris(index, report_id: str) -> Response:
    """The report as one RIS record."""
    report = index.get_report(report_id)
    record = api.ris(report, None, urls.report_permalink(report_id, citable=True))
    return ris([record], f"{report_id}.ris")
