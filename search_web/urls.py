"""Every URL the app hands out is built here, so links, toggles and JSON twins
cannot drift apart from the routes.

Paths come from ``url_for`` (so the app also works mounted under a prefix);
query strings are built here with a fixed key order and without default values,
which keeps URLs short, stable and comparable in tests.
"""
from __future__ import annotations

import threading
from urllib.parse import quote_plus, urlencode

from cachetools import LRUCache, cached
from flask import current_app, has_request_context, request, url_for
from indexer.api import DEFAULT_DEADLINE, REPORT_FILTERS

from .params import FACET_SIZE, FILTER_KEYS, PER_PAGE, TOOL_STATE_NAMES, SearchParams


def _with_query(path: str, pairs: list[tuple[str, str]], anchor: str = "") -> str:
    query = _encode(pairs)
    return path + (f"?{query}" if query else "") + (f"#{anchor}" if anchor else "")


def _encode(pairs: list[tuple[str, str]]) -> str:
    """``urlencode(pairs, quote_via=quote_plus)`` for our parameter names,
    which are plain identifiers that quoting leaves as they are: only the values
    are quoted (each once per process, ``_quoted``).  A results page builds
    some forty query strings; ``urlencode``'s per-pair checks were most of it."""
    return "&".join([f"{name}={_quoted(str(value))}" for name, value in pairs])


def _path(endpoint: str, **values) -> str:
    """``url_for(endpoint, **values)``, made once per app and script root: a
    results page builds some forty URLs to a dozen routes, and ``url_for`` was
    a fifth of the page's own time.  (A relative path depends on nothing else:
    no route here has a host or subdomain, and the app sets no URL defaults.)"""
    if not has_request_context():
        return url_for(endpoint, **values)
    key = (request.script_root, endpoint, *sorted(values.items()))
    paths = current_app.extensions.setdefault("fazhi_url_paths", {})
    try:
        return paths[key]
    except KeyError:
        if len(paths) > _MAX_PATHS:     # only export formats vary; a bound all the same
            paths.clear()
        paths[key] = url_for(endpoint, **values)
        return paths[key]


_MAX_PATHS = 1000


def _search_pairs(q: str, filters: dict[str, list[str]], page: int, sort: str,
                  per_page: int, facet_size: int, group: str = "passage", year_from: int | None = None,
                  year_to: int | None = None) -> list[tuple[str, str]]:
    pairs = [("q", q)] if q else []
    for key in FILTER_KEYS:
        values = filters.get(key)
        if values:          # most keys have none: no list made for them
            pairs += [(key, str(value)) for value in values]
    pairs += [(name, str(year)) for name, year in (("year_from", year_from), ("year_to", year_to)) if year]
    if group != "passage":
        pairs.append(("group", group))
    if sort != "relevance":
        pairs.append(("sort", sort))
    if per_page != PER_PAGE:
        pairs.append(("per_page", str(per_page)))
    if facet_size != FACET_SIZE:
        pairs.append(("facet_size", str(facet_size)))
    if page > 1:
        pairs.append(("page", str(page)))
    return pairs


def search(params: SearchParams | None = None, *, json: bool = False, fmt: str = "", **changes) -> str:
    """The search URL for ``params`` with some fields changed (``page=2``,
    ``filters={…}``, ``q=…``).  Any change but ``page`` goes back to page 1.
    ``fmt``: an export of the whole search (``csv``, ``jsonl``, ``xlsx``)."""
    p = params or SearchParams()
    fields = {"q": p.q, "filters": p.filters, "page": p.page, "sort": p.sort, "per_page": p.per_page,
              "facet_size": p.facet_size, "group": p.group, "year_from": p.year_from, "year_to": p.year_to}
    if "page" not in changes:
        changes["page"] = 1 if changes else p.page
    fields.update(changes)
    if fmt:         # the whole result set: the state rides along (the file says what it came from)
        fields.update(page=1, facet_size=FACET_SIZE)
        return _with_query(_path("web.search_export", fmt=fmt), _search_pairs(**fields))
    endpoint = "web.search_json" if json else "web.search"
    return _with_query(_path(endpoint), _search_pairs(**fields))


def state_pairs(params: SearchParams | None, tool: bool = False) -> list[tuple[str, str]]:
    """The search state as query parameters, without paging: what every link
    from a page built on that search carries (``tool``: a research tool's link,
    the search's sort and page size under ``TOOL_STATE_NAMES``)."""
    if params is None:
        return []
    pairs = _search_pairs(q=params.q, filters=params.filters, page=1, sort=params.sort, per_page=params.per_page,
                          facet_size=FACET_SIZE, group=params.group, year_from=params.year_from,
                          year_to=params.year_to)
    return [(TOOL_STATE_NAMES.get(name, name), value) for name, value in pairs] if tool else pairs


def clear_all(params: SearchParams) -> str:
    """This search without any filter: typed ones aside, the year range goes too."""
    return search(params, filters={}, year_from=None, year_to=None)


def export(params: SearchParams, fmt: str) -> str:
    """The whole result set of this search as a file."""
    return search(params, fmt=fmt)


def group(params: SearchParams, grouping: str) -> str:
    """This search grouped by ``grouping`` (passage or report)."""
    return search(params, group=grouping)


def year_range(params: SearchParams, year_from: int | None, year_to: int | None) -> str:
    """This search within those years (a year's bar in the histogram: that year alone)."""
    filters = {k: v for k, v in params.filters.items() if k != "year"}
    return search(params, filters=filters, year_from=year_from, year_to=year_to)


def report_hits(params: SearchParams, report_id: str) -> str:
    """Every hit of this search in one report, listed as passages."""
    return search(params, filters={**params.filters, "report": [report_id]}, group="passage")


def toggle(params: SearchParams, key: str, value: str) -> str:
    """Add ``value`` to the ``key`` filter, or take it away when it is there."""
    value = str(value)
    current = params.filters.get(key, [])
    values = [v for v in current if v != value] if value in current else current + [value]
    filters = {k: v for k, v in params.filters.items() if k != key}
    if values:
        filters[key] = values
    return search(params, filters=filters)


def togglers(params: SearchParams):
    """``key → url(value)`` (the URL ``toggle(params, key, value)`` makes) for
    every facet of a page, from one query string: the page lists seven facets
    with up to a thousand values each, too many to build each URL from scratch.  ``toggle`` puts a new value after its key's
    values, and the keys come in ``FILTER_KEYS`` order after ``q``, so "this
    search plus one value" is this search's query string (on page 1) cut
    after that key's values, with the value put in the cut."""
    order = {key: n for n, key in enumerate(FILTER_KEYS)}
    pairs = _search_pairs(q=params.q, filters=params.filters, page=1, sort=params.sort, per_page=params.per_page,
                          facet_size=params.facet_size, group=params.group, year_from=params.year_from,
                          year_to=params.year_to)
    encoded = [f"{name}={_quoted(str(value))}" for name, value in pairs]
    path = _path("web.search")

    def for_key(key: str):
        cut = sum(1 for name, _ in pairs if name == "q" or order.get(name, len(order)) <= order[key])
        head, tail = "&".join(encoded[:cut]), "&".join(encoded[cut:])
        prefix = f"{path}?{head}&{key}=" if head else f"{path}?{key}="
        suffix = f"&{tail}" if tail else ""
        current = {str(v) for v in params.filters.get(key, [])}

        def url(value) -> str:
            value = str(value)
            return toggle(params, key, value) if value in current else prefix + _quoted(value) + suffix
        return url
    return for_key


# Facet values, agency names and the query recur in every URL of every
# response: encode each once (``_encode`` passes the text alone).  Bounded by
# bytes, not entries: its keys are user input (65,536 long queries held 365 MB).
_quoted = cached(LRUCache(maxsize=8 << 20, getsizeof=lambda encoded: 2 * len(encoded) + 100),
                 lock=threading.Lock())(quote_plus)


def more_facet_values(params: SearchParams, count: int, key: str) -> str:
    """This search with ``count`` values listed per facet, landing on facet ``key``."""
    return search(params, page=params.page, facet_size=count) + f"#facet-{key}"


def without_filters(params: SearchParams) -> str:
    """This search with every filter removed."""
    return search(params, filters={})


def page(params: SearchParams, number: int) -> str:
    """This search's page ``number``."""
    return search(params, page=number)


def pager(params: SearchParams):
    """``page(params, n)`` for many ``n``: the page number is the query
    string's last parameter, so build one URL with a placeholder and put each
    number in its place (page 1 leaves it out)."""
    first = page(params, 1)
    head, found, tail = page(params, 99999).partition("page=99999")
    if not found:
        return lambda number: page(params, number)
    return lambda number: first if number == 1 else f"{head}page={int(number)}{tail}"


def sort(params: SearchParams, order: str) -> str:
    """This search in ``order``."""
    return search(params, sort=order)


def report(report_id: str, q: str = "", anchor: str = "", *, json: bool = False, part: int | None = None,
           back: SearchParams | None = None, external: bool = False) -> str:
    """The report's page; ``back``: the search it was reached from, carried along."""
    endpoint = "web.report_json" if json else "web.report"
    pairs = _back_pairs(q, back) + ([("part", str(part))] if part else [])
    return _with_query(url_for(endpoint, report_id=report_id, _external=external), pairs, anchor)


def _back_pairs(q: str, back: SearchParams | None) -> list[tuple[str, str]]:
    """``q`` alone, or the whole search state (its query replaced by ``q`` when given) and page."""
    if back is None:
        return [("q", q)] if q else []
    return _search_pairs(q=q or back.q, filters=back.filters, page=back.page, sort=back.sort,
                         per_page=back.per_page, facet_size=FACET_SIZE, group=back.group,
                         year_from=back.year_from, year_to=back.year_to)


def passage(passage_id: str, q: str = "", *, json: bool = False, external: bool = False,
            back: SearchParams | None = None) -> str:
    """The passage's page; ``back``: the search it was found by, carried along
    (filters, sort, page, grouping) so "back to results" returns to it."""
    endpoint = "web.passage_json" if json else "web.passage"
    path = url_for(endpoint, passage_id=passage_id, _external=external)
    return _with_query(path, _back_pairs(q, back))


def home() -> str:
    """The home page's path."""
    return url_for("web.home")


def static(filename: str) -> str:
    """A static file's path."""
    return url_for("static", filename=filename)


def reports(filters: dict[str, list[str]] | None = None, sort: str = "date", page: int = 1, *,
            json: bool = False, fmt: str = "", deadline: str | None = None) -> str:
    """The report list (``/reports``), its JSON twin or its CSV; ``deadline``
    (MM-DD) rides along when it is not the default."""
    filters = filters or {}
    pairs = [(key, str(v)) for key in REPORT_FILTERS for v in filters.get(key, [])]
    if deadline and deadline != DEFAULT_DEADLINE:
        pairs.append(("deadline", deadline))
    if sort != "date":
        pairs.append(("sort", sort))
    if page > 1 and not fmt:
        pairs.append(("page", str(page)))
    endpoint = "web.reports_csv" if fmt else ("web.reports_json" if json else "web.reports")
    return _with_query(url_for(endpoint, **({"fmt": fmt} if fmt and fmt != "csv" else {})), pairs)


def report_toggle(filters: dict[str, list[str]], sort: str, key: str, value: str,
                  deadline: str | None = None) -> str:
    """The report list with ``value`` of ``key`` added, or removed when it is set."""
    current = filters.get(key, [])
    values = [v for v in current if v != value] if value in current else current + [value]
    changed = {k: v for k, v in filters.items() if k != key}
    if values:
        changed[key] = values
    return reports(changed, sort, deadline=deadline)


def _marked(build, marker: str = "\x00v\x00"):
    """``build(marker)`` once, then ``value → URL`` by putting the quoted value
    where the quoted marker is: a page builds one URL per hit or per year, and
    building each from scratch cost more than the search itself."""
    template = build(marker)
    head, found, tail = template.partition(_quoted(marker))
    if not found:
        return lambda value: build(str(value))
    return lambda value: head + _quoted(str(value)) + tail


def year_ranger(params: SearchParams):
    """``year_range(params, y, y)`` for many years at once: built once with a
    placeholder year (the two parameters are always side by side)."""
    template = year_range(params, 1111, 1111)
    placeholder = "year_from=1111&year_to=1111"
    return lambda year: template.replace(placeholder, f"year_from={int(year)}&year_to={int(year)}")


def agency_filter(params: SearchParams):
    """``agency → this search filtered to that agency alone``, for many agencies."""
    return _marked(lambda v: search(params, filters={**params.filters, "agency": [v]}))


def passage_linker(params: SearchParams | None, q: str = ""):
    """``passage id → urls.passage(id, q or params.q, back=params)`` for a page of hits."""
    marker = "MARKERpassage0"
    template = passage(marker, q or (params.q if params else ""), back=params)
    head, _, tail = template.partition(marker)
    return lambda passage_id: head + passage_id + tail


# --- absolute URLs: permalinks, citations, exports (issue 22 item 3, issue 24) ---
#
# The rule: with ``--base-url`` / ``FAZHI_BASE_URL`` (config ``BASE_URL``) every
# permalink, citation and exported URL starts with it and the ``Host`` header is
# never read.  Without it a page's own permalink box shows the address the
# reader reached it at (``request.host_url``), but citations and exports, which
# leave the site in files and papers, take the request's root only when its
# host is the server's own (a loopback name, or the address it listens on,
# ``SERVER_URL``); any other ``Host`` (``evil.example``) gives the address it
# listens on when that is a concrete one, else site-relative paths (``/p/…``).

_LOOPBACK = {"localhost", "127.0.0.1", "::1"}


def configured_base() -> str:
    """``--base-url`` as configured ("" when none)."""
    return current_app.config.get("BASE_URL") or ""


def page_root() -> str:
    """The root a page's own permalink shows: the base URL, else the request's."""
    return configured_base() or request.url_root.rstrip("/")


def citable_root() -> str:
    """The root of URLs in citations and exports (see the rule above)."""
    base = configured_base()
    if base:
        return base
    server = current_app.config.get("SERVER_URL") or ""
    if _own_host(request.host, server):
        return request.url_root.rstrip("/")
    return server


def _own_host(host: str, server: str) -> bool:
    from urllib.parse import urlsplit

    try:
        name = urlsplit("//" + host).hostname or ""
    except ValueError:
        return False
    return name in _LOOPBACK or (bool(server) and name == (urlsplit(server).hostname or ""))


def absolute(path: str, root: str) -> str:
    """``path`` (from ``url_for``: it starts with the script root) under ``root``
    (which ends with it, or is the base URL standing for it); "" root: the path."""
    script_root = request.script_root if has_request_context() else ""
    if root and script_root and path.startswith(script_root):
        path = path[len(script_root):]
    return root + path


def permalink(passage_id: str, *, citable: bool = False) -> str:
    """The passage's page, absolute: for the page's box, or (``citable``) for a citation."""
    return absolute(url_for("web.passage", passage_id=passage_id), citable_root() if citable else page_root())


def report_permalink(report_id: str, *, citable: bool = False) -> str:
    """The report's absolute URL (under the citable root when ``citable``)."""
    return absolute(url_for("web.report", report_id=report_id), citable_root() if citable else page_root())


def citation_file(kind: str, item_id: str) -> str:
    """The RIS citation of a passage (``kind`` ``passage``) or a report (``report``)."""
    if kind == "passage":
        return url_for("web.passage_ris", passage_id=item_id)
    return url_for("web.report_ris", report_id=item_id)


def export_base() -> str:
    """The base every URL in an export starts with (``indexer.api.passage_url(id, base)``)."""
    return citable_root() or request.script_root
def report_linker(params: SearchParams | None, q: str = ""):
    """``report id → urls.report(id, q or params.q, back=params)`` for many reports."""
    marker = "MARKERreport0"
    head, _, tail = report(marker, q or (params.q if params else ""), back=params).partition(marker)
    return lambda report_id, anchor="": head + report_id + tail + (f"#{anchor}" if anchor else "")
