"""Routes: thin adapters from a request to a page function and back.

Each page has an HTML route and a ``.json`` twin answering the same dict.
Ids are checked against the library's patterns before the index is opened.
"""
from __future__ import annotations

from flask import Blueprint, render_template, request
from indexer.api import SearchError, check_passage_id, check_query, check_report_id
from werkzeug.routing import BaseConverter

from . import pages, parts
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
    return render_template("search.html", page=_search())


@bp.route("/search.json")
def search_json():
    return _search()


def _report(report_id: str) -> dict:
    return pages.report_page(get_index(), check_report_id(report_id), _query(), part=parts.requested(request.args))


def _passage(passage_id: str) -> dict:
    return pages.passage_page(get_index(), check_passage_id(passage_id), _query())


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
