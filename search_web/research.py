"""Routes of the research tools: concordance, trends, report cards, completion.

Each page has an HTML route, a ``.json`` twin answering the same dict and,
where it is a table, its ``rows`` as a file through the one export writer
(``exports.table``): ``.csv`` (and its ``.csv-metadata.json`` sidecar),
``.xlsx``, ``.jsonl``.  Registered by the app factory; the page functions are
in ``research_pages``."""
from __future__ import annotations

from flask import Blueprint, render_template, request

from . import exports, urls
from . import research_pages as pages
from . import research_params as params
from .index import get_index
from .params import parse_state

bp = Blueprint("research", __name__)


def _kwic(every: bool = False) -> dict:
    args = request.args
    return pages.kwic_page(get_index(), params.query(args), parse_state(args, tool=True),
                           width=params.integer(args, "width", 30, 1, 200),
                           sort=params.choice(args, "sort", pages.KWIC_SORTS),
                           page=params.integer(args, "page", 1, 1, 100_000),
                           per_page=params.integer(args, "per_page", 50, 1, 500), every=every)


def _trend() -> dict:
    args = request.args
    return pages.trend_page(get_index(), params.queries(args), parse_state(args, tool=True),
                            split=params.choice(args, "split", pages.SPLITS),
                            top=params.integer(args, "top", 5, 1, 12),
                            measure=params.choice(args, "measure", ("share", "reports", "passages")))


def _cards() -> dict:
    args = request.args
    return pages.cards_page(get_index(), params.query(args), parse_state(args, tool=True),
                            deadline=args.get("deadline", "").strip()[:10],
                            split=params.choice(args, "split", pages.SPLITS),
                            copied=params.integer(args, "copied", 0, 0, 1) == 1)


# A tool's table as a file: ``/kwic.csv`` (its endpoint keeps the name it had)
# and the other formats of the one writer beside it.
EXPORT_RULES = ('.csv', '.<any(jsonl, xlsx, "csv-metadata.json"):fmt>')


def table_export(name: str, page: dict, fmt: str, sort: str = "") -> "exports.Response":
    """The page's ``rows`` (columns ``page["columns"]``) as ``fmt``, with its provenance."""
    args = request.args
    query = page.get("queries") or page.get("query", "")
    counts = {key: page[key] for key in ("total", "passages", "reports_total") if isinstance(page.get(key), int)}
    about = exports.about(name, query, params.filters(args), get_index(), sort, counts)
    root = urls.export_base()
    rows = ({**row, "url": urls.absolute(row["url"], root)} if str(row.get("url", "")).startswith("/") else row
            for row in page["rows"])
    return exports.table(name, fmt, rows, page["columns"], about)


def _export_routes(name: str, view):
    """Register ``view(fmt)`` at ``/<name>.csv`` (endpoint ``<name>_csv``) and its sibling formats."""
    bp.add_url_rule(f"/{name}{EXPORT_RULES[0]}", f"{name}_csv", view, defaults={"fmt": "csv"})
    bp.add_url_rule(f"/{name}{EXPORT_RULES[1]}", f"{name}_csv", view)


@bp.route("/kwic")
def kwic():
    return render_template("kwic.html", page=_kwic() if params.query(request.args) else _empty("kwic"))


@bp.route("/kwic.json")
def kwic_json():
    return _kwic()


def kwic_export(fmt: str):
    """Every line (a ``page=`` asks for that page only)."""
    page = _kwic(every="page" not in request.args)
    return table_export("kwic", page, fmt, page.get("sort", ""))


@bp.route("/trend")
def trend():
    return render_template("trend.html", page=_trend() if params.queries(request.args) else _empty("trend"))


@bp.route("/trend.json")
def trend_json():
    return _trend()


def trend_export(fmt: str):
    page = _trend()
    page["columns"] = ("query", "group", "year", "passages", "reports", "reports_in_year", "share", "url")
    return table_export("trend", page, fmt)


@bp.route("/cards")
def cards():
    return render_template("cards.html", page=_cards())


@bp.route("/cards.json")
def cards_json():
    return _cards()


def cards_export(fmt: str):
    return table_export("cards", _cards(), fmt)


def _compare() -> dict:
    args = request.args
    return pages.compare_page(get_index(), params.query(args), parse_state(args, tool=True),
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


def compare_export(fmt: str):
    """The page's reports, one row per passage of the category."""
    page = _compare()
    page.update(rows=pages.compare_rows(page), columns=pages.COMPARE_COLUMNS)
    return table_export("compare", page, fmt)


for _name, _view in (("kwic", kwic_export), ("trend", trend_export), ("cards", cards_export),
                     ("compare", compare_export)):
    _export_routes(_name, _view)


@bp.route("/suggest.json")
def suggest_json():
    prefix = params.query(request.args)[:20]
    return pages.suggest(get_index(), prefix, params.integer(request.args, "limit", 10, 1, 20))


def _empty(tool: str) -> dict:
    """The form alone, before a query is typed (the filters it will apply shown)."""
    from . import research_urls

    page = {"ok": True, "empty": True, "query": "", "queries": [], "links": {}}
    state = parse_state(request.args, tool=True)
    return pages.applied(page, state, lambda s: research_urls.tool(tool, s.q, s))
