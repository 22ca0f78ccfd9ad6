"""Routes of the research tools: concordance, trends, report cards, side by side, completion.

Each tool is declared once (``formats.Page``): its HTML page, the ``.json``
twin answering the same dict and its ``rows`` as a file through the one export
writer (``exports.table``): ``.csv`` (and its ``.csv-metadata.json`` sidecar),
``.xlsx``, ``.jsonl``.  Registered by the app factory; the page functions are
in ``research_pages``."""
from __future__ import annotations

from flask import Blueprint, request

from . import exports, urls
from . import research_pages as pages
from . import research_params as params
from .formats import HTML, Page, register
from .index import get_index
from .params import parse_state

bp = Blueprint("research", __name__)
TABLE_FILES = ("csv", "jsonl", "xlsx", exports.SIDECAR)


def _kwic(fmt: str, every: bool = False) -> dict:
    args = request.args
    if fmt == HTML and not params.query(args):
        return _empty("kwic")
    return pages.kwic_page(get_index(), params.query(args), parse_state(args, tool=True),
                           width=params.integer(args, "width", 30, 1, 200),
                           sort=params.choice(args, "sort", pages.KWIC_SORTS),
                           page=params.integer(args, "page", 1, 1, 100_000),
                           per_page=params.integer(args, "per_page", 50, 1, 500), every=every)


def _trend(fmt: str) -> dict:
    args = request.args
    if fmt == HTML and not params.queries(args):
        return _empty("trend")
    return pages.trend_page(get_index(), params.queries(args), parse_state(args, tool=True),
                            split=params.choice(args, "split", pages.SPLITS),
                            top=params.integer(args, "top", 5, 1, 12),
                            measure=params.choice(args, "measure", ("share", "reports", "passages")))


def _cards(fmt: str) -> dict:
    args = request.args
    return pages.cards_page(get_index(), params.query(args), parse_state(args, tool=True),
                            deadline=args.get("deadline", "").strip()[:10],
                            split=params.choice(args, "split", pages.SPLITS),
                            copied=params.integer(args, "copied", 0, 0, 1) == 1)


def _compare(fmt: str) -> dict:
    args = request.args
    return pages.compare_page(get_index(), params.query(args), parse_state(args, tool=True),
                              category=args.get("category", "").strip()[:20] or "存在的不足和原因",
                              layout=params.choice(args, "layout", pages.LAYOUTS),
                              page=params.integer(args, "page", 1, 1, 10_000),
                              per_page=params.integer(args, "per_page", 20, 1, 50))


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


def _kwic_files(fmt: str):
    """Every line (a ``page=`` asks for that page only)."""
    page = _kwic(fmt, every="page" not in request.args)
    return table_export("kwic", page, fmt, page.get("sort", ""))


def _trend_files(fmt: str):
    page = _trend(fmt)
    page["columns"] = ("query", "group", "year", "passages", "reports", "reports_in_year", "share", "url")
    return table_export("trend", page, fmt)


def _cards_files(fmt: str):
    return table_export("cards", _cards(fmt), fmt)


def _compare_files(fmt: str):
    """The page's reports, one row per passage of the category."""
    page = _compare(fmt)
    page.update(rows=pages.compare_rows(page), columns=pages.COMPARE_COLUMNS)
    return table_export("compare", page, fmt)


def _tool(name: str, data, files) -> Page:
    """A tool at ``/<name>``, with ``/<name>.json`` and its table files (endpoints ``<name>_json``, ``<name>_csv``)."""
    return Page(name, f"/{name}", f"{name}.html", data, files,
                suffixes=((f"{name}_json", ("json",)), (f"{name}_csv", TABLE_FILES)))


PAGES = (_tool("kwic", _kwic, _kwic_files), _tool("trend", _trend, _trend_files),
         _tool("cards", _cards, _cards_files), _tool("compare", _compare, _compare_files))
for _page in PAGES:
    register(bp, _page)


@bp.route("/suggest.json")
def suggest_json():
    """Completions of the typed prefix (the search box's list)."""
    prefix = params.query(request.args)[:20]
    return pages.suggest(get_index(), prefix, params.integer(request.args, "limit", 10, 1, 20))


def _empty(tool: str) -> dict:
    """The form alone, before a query is typed (the filters it will apply shown)."""
    from . import research_urls

    page = {"ok": True, "empty": True, "query": "", "queries": [], "links": {}}
    state = parse_state(request.args, tool=True)
    return pages.applied(page, state, lambda s: research_urls.tool(tool, s.q, s))
