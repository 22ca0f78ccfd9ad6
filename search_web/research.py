"""Routes of the research tools: concordance, trends, report cards, completion.

Each page has an HTML route, a ``.json`` twin answering the same dict and,
where it is a table, a ``.csv`` twin of its ``rows``.  Registered by the app
factory; the page functions are in ``research_pages``."""
from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, render_template, request

from . import research_pages as pages
from . import research_params as params
from .export_slots import bounded_export
from .index import get_index

bp = Blueprint("research", __name__)


def _kwic(every: bool = False) -> dict:
    args = request.args
    return pages.kwic_page(get_index(), params.query(args), params.filters(args),
                           width=params.integer(args, "width", 30, 1, 200),
                           sort=params.choice(args, "sort", pages.KWIC_SORTS),
                           page=params.integer(args, "page", 1, 1, 100_000),
                           per_page=params.integer(args, "per_page", 50, 1, 500), every=every)


def _trend() -> dict:
    args = request.args
    return pages.trend_page(get_index(), params.queries(args), params.filters(args),
                            split=params.choice(args, "split", pages.SPLITS),
                            top=params.integer(args, "top", 5, 1, 12),
                            measure=params.choice(args, "measure", ("share", "reports", "passages")))


def _cards() -> dict:
    args = request.args
    return pages.cards_page(get_index(), params.query(args), params.filters(args),
                            deadline=args.get("deadline", "").strip()[:10],
                            split=params.choice(args, "split", pages.SPLITS),
                            copied=params.integer(args, "copied", 0, 0, 1) == 1)


def csv_response(page: dict, name: str) -> Response:
    """The page's ``rows`` as CSV, with a BOM so Excel reads the Chinese as UTF-8."""
    out = io.StringIO()
    columns = list(page.get("columns") or (page["rows"][0].keys() if page["rows"] else []))
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(page["rows"])
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename={name}.csv"})


@bp.route("/kwic")
def kwic():
    return render_template("kwic.html", page=_kwic() if params.query(request.args) else _empty("kwic"))


@bp.route("/kwic.json")
def kwic_json():
    return _kwic()


@bp.route("/kwic.csv")
@bounded_export
def kwic_csv():
    """Every line (a ``page=`` asks for that page only)."""
    return csv_response(_kwic(every="page" not in request.args), "kwic")


@bp.route("/trend")
def trend():
    return render_template("trend.html", page=_trend() if params.queries(request.args) else _empty("trend"))


@bp.route("/trend.json")
def trend_json():
    return _trend()


@bp.route("/trend.csv")
def trend_csv():
    page = _trend()
    page["columns"] = ("query", "group", "year", "passages", "reports", "reports_in_year", "share", "url")
    return csv_response(page, "trend")


@bp.route("/cards")
def cards():
    return render_template("cards.html", page=_cards())


@bp.route("/cards.json")
def cards_json():
    return _cards()


@bp.route("/cards.csv")
def cards_csv():
    return csv_response(_cards(), "cards")


def _compare() -> dict:
    args = request.args
    return pages.compare_page(get_index(), params.query(args), params.filters(args),
                              category=args.get("category", "").strip()[:20] or "存在的不足和原因",
                              layout=params.choice(args, "layout", pages.LAYOUTS),
                              page=params.integer(args, "page", 1, 1, 10_000),
                              per_page=params.integer(args, "per_page", 20, 1, 50))


@bp.route("/compare")
def compare():
    return render_template("compare.html", page=_compare())


@bp.route("/compare.json")
def compare_json():
    return _compare()


@bp.route("/suggest.json")
def suggest_json():
    prefix = params.query(request.args)[:20]
    return pages.suggest(get_index(), prefix, params.integer(request.args, "limit", 10, 1, 20))


def _empty(_tool: str) -> dict:
    """The form alone, before a query is typed."""
    return {"ok": True, "empty": True, "query": "", "queries": [], "links": {}}
