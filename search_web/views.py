"""Routes: each page declared once (``formats.Page``), answering HTML, its
``.json`` twin (the same dict) and its files by the format suffix.

Ids are checked against the library's patterns before the index is opened.
"""
from __future__ import annotations

from flask import Blueprint, request
from indexer.api import (PASSAGE_ROUTE, REPORT_ROUTE, FazhiError, SearchError, answerable_on_cluster, check_passage_id,
                         check_query, check_report_id)
from werkzeug.routing import BaseConverter

from . import browse, exports, pages, parts, urls
from .errors import WebError
from .formats import Page, register
from .index import get_index
from .params import clean_query, parse_search

bp = Blueprint("web", __name__)
TABLE_FILES = ("csv", "jsonl", "xlsx", exports.SIDECAR)


class IdConverter(BaseConverter):
    """Letters, digits and dashes only: no dots or slashes, so ``x.json``
    goes to the twin route and no path can climb out of anything."""

    regex = r"[A-Za-z0-9_-]{1,80}"


def _search(fmt: str) -> dict:
    return pages.search_page(get_index(), parse_search(request.args))


def _search_error(error: WebError) -> dict:
    """A bad query is kept in the box, with the message under it, so it can be fixed there;
    one the cluster cannot answer (501: count words, 同句/同段) offers the query it does
    answer one click away, as the message says to write it."""
    q = clean_query(request.args)
    changed = answerable_on_cluster(q) if error.status == 501 else q
    retry = None
    if changed != q:
        try:
            retry = {"q": changed, "url": urls.search(parse_search(request.args), q=changed)}
        except FazhiError:
            retry = None
    return pages.search_error_page(q, error, retry)


def _search_files(fmt: str):
    """The whole result set (not a page), streamed as it is written; ``ris``:
    the reports it comes from, as citations."""
    return exports.search(get_index(), parse_search(request.args), fmt)


def _query() -> str:
    """The query whose terms a report page marks; too long a one marks nothing."""
    try:
        return check_query(clean_query(request.args))
    except SearchError:
        return ""


def _reports(fmt: str) -> dict:
    return browse.reports_page(get_index(), *browse.parse_reports(request.args), browse.report_deadline(request.args))


def _reports_files(fmt: str):
    """Every report of the list (not a page) as a file."""
    filters, sort, _ = browse.parse_reports(request.args)
    deadline = browse.report_deadline(request.args)
    index = get_index()
    about = exports.about("reports", "", filters, index, sort)
    rows = browse.report_rows(index, filters, sort, urls.export_base(), deadline)
    return exports.table("reports", fmt, rows, browse.REPORT_COLUMNS, about)


def _report(fmt: str, report_id: str) -> dict:
    return pages.report_page(get_index(), check_report_id(report_id), _query(), part=parts.requested(request.args),
                             back=_back())


def _report_ris(fmt: str, report_id: str):
    """The report as a citation a reference manager imports."""
    return exports.report_ris(get_index(), check_report_id(report_id))


def _passage(fmt: str, passage_id: str) -> dict:
    return pages.passage_page(get_index(), check_passage_id(passage_id), _query(), _back())


def _passage_ris(fmt: str, passage_id: str):
    """The passage (and its report) as a citation a reference manager imports."""
    return exports.passage_ris(get_index(), check_passage_id(passage_id))


def _back():
    """The search a passage was opened from (its parameters ride along on the link)."""
    try:
        return parse_search(request.args)
    except (WebError, FazhiError):
        return None


PAGES = (
    Page("search", "/search", "search.html", _search, _search_files, html_error=_search_error,
         aliases=(("/", "home"),),
         suffixes=(("search_json", ("json",)), ("search_export", ("csv", "jsonl", "xlsx", "ris", exports.SIDECAR)))),
    Page("reports", "/reports", "reports.html", _reports, _reports_files,
         suffixes=(("reports_json", ("json",)), ("reports_csv", TABLE_FILES))),
    Page("report", REPORT_ROUTE, "report.html", _report, _report_ris,
         suffixes=(("report_json", ("json",)), ("report_ris", ("ris",)))),
    Page("passage", PASSAGE_ROUTE, "report.html", _passage, _passage_ris,
         suffixes=(("passage_json", ("json",)), ("passage_ris", ("ris",)))),
)
for _page in PAGES:
    register(bp, _page)
