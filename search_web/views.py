"""Routes: thin adapters from a request to a page function and back.

Each page has an HTML route and a ``.json`` twin answering the same dict.
Ids are checked against the library's patterns before the index is opened.
"""
from __future__ import annotations

from flask import Blueprint, Response, render_template, request, stream_with_context
from indexer.api import FazhiError, SearchError, check_passage_id, check_query, check_report_id
from werkzeug.routing import BaseConverter

from . import browse, pages, parts
from .errors import WebError, from_search_error
from .export_slots import bounded_export
from .index import get_index
from .params import clean_query, parse_search

bp = Blueprint("web", __name__)


class IdConverter(BaseConverter):
    """Letters, digits and dashes only: no dots or slashes, so ``x.json``
    goes to the twin route and no path can climb out of anything."""

    regex = r"[A-Za-z0-9_-]{1,80}"


def _search() -> dict:
    return pages.search_page(get_index(), parse_search(request.args))


def _query() -> str:
    """The query whose terms a report page marks; too long a one marks nothing."""
    try:
        return check_query(clean_query(request.args))
    except SearchError:
        return ""


@bp.route("/", endpoint="home")
@bp.route("/search")
def search():
    try:
        page = _search()
    except (WebError, FazhiError) as exc:
        error = exc if isinstance(exc, WebError) else from_search_error(exc)
        if error.status != 400:
            raise
        # Kept in the box, with the message under it, so it can be fixed there.
        return render_template("search.html", page=pages.search_error_page(clean_query(request.args), error)), 400
    return render_template("search.html", page=page)


@bp.route("/search.json")
def search_json():
    return _search()


@bp.route("/search.<any(csv, jsonl, xlsx):fmt>", endpoint="search_export")
@bounded_export
def search_export(fmt: str):
    """The whole result set (not a page), streamed as it is written."""
    body, media_type, filename = pages.search_export(get_index(), parse_search(request.args), fmt,
                                                     request.host_url)
    headers = {"Content-Disposition": f"attachment; filename={filename}", "Cache-Control": "no-store"}
    return Response(stream_with_context(body), content_type=media_type, headers=headers)


def _reports() -> dict:
    return browse.reports_page(get_index(), *browse.parse_reports(request.args), browse.report_deadline(request.args))


@bp.route("/reports")
def reports():
    return render_template("reports.html", page=_reports())


@bp.route("/reports.json")
def reports_json():
    return _reports()


@bp.route("/reports.csv")
@bounded_export
def reports_csv():
    filters, sort, _ = browse.parse_reports(request.args)
    body = browse.reports_csv(get_index(), filters, sort, request.host_url, browse.report_deadline(request.args))
    return Response(stream_with_context(body), content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": "attachment; filename=fazhi-reports.csv"})


def _report(report_id: str) -> dict:
    return pages.report_page(get_index(), check_report_id(report_id), _query(), part=parts.requested(request.args))


def _passage(passage_id: str) -> dict:
    return pages.passage_page(get_index(), check_passage_id(passage_id), _query(), _back())


def _back():
    """The search a passage was opened from (its parameters ride along on the link)."""
    try:
        return parse_search(request.args)
    except (WebError, FazhiError):
        return None


@bp.route("/r/<id:report_id>")
def report(report_id: str):
    return render_template("report.html", page=_report(report_id))


@bp.route("/r/<id:report_id>.json")
def report_json(report_id: str):
    return _report(report_id)


@bp.route("/p/<id:passage_id>")
def passage(passage_id: str):
    return render_template("report.html", page=_passage(passage_id))


@bp.route("/p/<id:passage_id>.json")
def passage_json(passage_id: str):
    return _passage(passage_id)
