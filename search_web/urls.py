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
from indexer.api import DEFAULT_DEADLINE

from .params import FACET_SIZE, FILTER_KEYS, PER_PAGE, SearchParams


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
    if fmt:
        fields.update(page=1, per_page=PER_PAGE, facet_size=FACET_SIZE, group="passage")
        return _with_query(_path("web.search_export", fmt=fmt), _search_pairs(**fields))
    endpoint = "web.search_json" if json else "web.search"
    return _with_query(_path(endpoint), _search_pairs(**fields))


def export(params: SearchParams, fmt: str) -> str:
    """The whole result set of this search as a file."""
    return search(params, fmt=fmt)


def group(params: SearchParams, grouping: str) -> str:
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


def toggler(params: SearchParams, key: str):
    """``toggle(params, key, value)`` for many values of one facet at once.

    A facet can have a thousand values; building each URL from scratch costs
    more than the search itself.  The query string of "this search plus one
    more ``key`` value" is the same up to that value, so build its two halves
    once and put each value between them.  Selected values (to remove) take
    the slow path; there are few of them."""
    current = [str(v) for v in params.filters.get(key, [])]
    marker = "\x00toggle\x00"
    template = toggle(params, key, marker)
    head, found, tail = template.partition(urlencode([(key, marker)]))

    prefix = head + _quoted(key) + "="

    def url(value) -> str:
        value = str(value)
        if value in current or not found:
            return toggle(params, key, value)
        return prefix + _quoted(value) + tail
    return url


def togglers(params: SearchParams):
    """``key → toggler(params, key)`` for every facet of a page, from one
    query string: the page lists seven facets, and each toggler had built
    its own URL from scratch.  ``toggle`` puts a new value after its key's
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
        if key not in order:
            return toggler(params, key)
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
    return search(params, filters={})


def page(params: SearchParams, number: int) -> str:
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
    return search(params, sort=order)


def report(report_id: str, q: str = "", anchor: str = "", *, json: bool = False, part: int | None = None) -> str:
    endpoint = "web.report_json" if json else "web.report"
    pairs = ([("q", q)] if q else []) + ([("part", str(part))] if part else [])
    return _with_query(url_for(endpoint, report_id=report_id), pairs, anchor)


def passage(passage_id: str, q: str = "", *, json: bool = False, external: bool = False,
            back: SearchParams | None = None) -> str:
    """The passage's page; ``back``: the search it was found by, carried along
    (filters, sort, page, grouping) so "back to results" returns to it."""
    endpoint = "web.passage_json" if json else "web.passage"
    path = url_for(endpoint, passage_id=passage_id, _external=external)
    if back is not None:
        pairs = [(k, v) for k, v in _search_pairs(q=q or back.q, filters=back.filters, page=back.page,
                                                  sort=back.sort, per_page=back.per_page, facet_size=FACET_SIZE,
                                                  group=back.group, year_from=back.year_from,
                                                  year_to=back.year_to)]
        return _with_query(path, pairs)
    return _with_query(path, [("q", q)] if q else [])


def home() -> str:
    return url_for("web.home")


def static(filename: str) -> str:
    return url_for("static", filename=filename)


REPORT_FILTER_KEYS = ("agency", "agency_kind", "agency_level", "province", "city", "year", "section",
                      "missing", "timeliness", "copied")


def reports(filters: dict[str, list[str]] | None = None, sort: str = "date", page: int = 1, *,
            json: bool = False, fmt: str = "", deadline: str | None = None) -> str:
    """The report list (``/reports``), its JSON twin or its CSV; ``deadline``
    (MM-DD) rides along when it is not the default."""
    filters = filters or {}
    pairs = [(key, str(v)) for key in REPORT_FILTER_KEYS for v in filters.get(key, [])]
    if deadline and deadline != DEFAULT_DEADLINE:
        pairs.append(("deadline", deadline))
    if sort != "date":
        pairs.append(("sort", sort))
    if page > 1 and not fmt:
        pairs.append(("page", str(page)))
    endpoint = "web.reports_csv" if fmt else ("web.reports_json" if json else "web.reports")
    return _with_query(url_for(endpoint), pairs)


def report_toggle(filters: dict[str, list[str]], sort: str, key: str, value: str,
                  deadline: str | None = None) -> str:
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


def passage_linker(params: SearchParams):
    """``passage id → urls.passage(id, params.q, back=params)`` for a page of hits."""
    marker = "MARKERpassage0"
    template = passage(marker, params.q, back=params)
    head, _, tail = template.partition(marker)
    return lambda passage_id: head + passage_id + tail
