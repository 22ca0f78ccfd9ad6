"""Routes: thin adapters from a request to a page function and back.

Each page has an HTML route and a ``.json`` twin answering the same dict.
Ids are checked against the library's patterns before the index is opened.
"""
from __future__ import annotations

from flask import Blueprint, render_template, request
from indexer.api import (PASSAGE_ROUTE, REPORT_ROUTE, FazhiError, SearchError, check_passage_id, check_query,
                         check_report_id)
from werkzeug.routing import BaseConverter

from . import browse, exports, pages, parts, urls
from .errors import WebError, from_search_error
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


@bp.route('/search.<any(csv, jsonl, xlsx, ris, "csv-metadata.json"):fmt>', endpoint="search_export")
def search_export(fmt: str):
    """The whole result set (not a page), streamed as it is written; ``ris``:
    the reports it comes from, as citations."""
    return exports.search(get_index(), parse_search(request.args), fmt)


def _reports() -> dict:
    return browse.reports_page(get_index(), *browse.parse_reports(request.args), browse.report_deadline(request.args))


@bp.route("/reports")
def reports():
    return render_template("reports.html", page=_reports())


@bp.route("/reports.json")
def reports_json():
    return _reports()


@bp.route("/reports.csv", defaults={"fmt": "csv"})
@bp.route('/reports.<any(jsonl, xlsx, "csv-metadata.json"):fmt>')
def reports_csv(fmt: str):
    """Every report of the list (not a page) as a file."""
    filters, sort, _ = browse.parse_reports(request.args)
    deadline = browse.report_deadline(request.args)
    index = get_index()
    about = exports.about("reports", "", filters, index, sort)
    rows = browse.report_rows(index, filters, sort, urls.export_base(), deadline)
    return exports.table("reports", fmt, rows, browse.REPORT_COLUMNS, about)


def _report(report_id: str) -> dict:
    return pages.report_page(get_index(), check_report_id(report_id), _query(), part=parts.requested(request.args),
                             back=_back())


def _passage(passage_id: str) -> dict:
    return pages.passage_page(get_index(), check_passage_id(passage_id), _query(), _back())


def _back():
    """The search a passage was opened from (its parameters ride along on the link)."""
    try:
        return parse_search(request.args)
    except (WebError, FazhiError):
        return None


@bp.route(REPORT_ROUTE)
def report(report_id: str):
    return render_template("report.html", page=_report(report_id))


@bp.route(REPORT_ROUTE + ".json")
def report_json(report_id: str):
    return _report(report_id)


@bp.route(REPORT_ROUTE + ".ris")
def report_ris(report_id: str):
    """The report as a citation a reference manager imports."""
    return exports.report_ris(get_index(), check_report_id(report_id))


@bp.route(PASSAGE_ROUTE)
def passage(passage_id: str):
    return render_template("report.html", page=_passage(passage_id))


@bp.route(PASSAGE_ROUTE + ".json")
def passage_json(passage_id: str):
    return _passage(passage_id)


@bp.route(PASSAGE_ROUTE + ".ris")
def passage_ris(passage_id: str):
    """The passage (and its report) as a citation a reference manager imports."""
    return exports.passage_ris(get_index(), check_passage_id(passage_id))
