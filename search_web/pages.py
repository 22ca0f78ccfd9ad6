"""One function per page, each returning a plain dict.

The same dict feeds the HTML template and is the page's ``.json`` twin
(Datasette style), so what a script reads is exactly what a person sees.
Search dicts are the library's result rendered by ``indexer.api.render_result``
(the same dict as ``indexer search --json``) plus links; report dicts are the
library's report plus rendered (escaped, marked) passages and a contents list.
All HTML of the text comes from ``indexer.api.mark_html`` / ``render_result``,
which escape everything but the ``<mark>`` they add.
"""
from __future__ import annotations

import re

from indexer.api import find_spans, mark_html, render_result, without_filter, without_quotes
from markupsafe import Markup

from . import memo, parts, research_pages, urls
from .params import FACET_KEYS, FACET_LABELS, FILTER_KEYS, MAX_FACET_SIZE, SearchParams

PREFIX_KEYS = ("agency", "province", "city")   # the library admits a part of the name
_WINDOW = 2  # pages shown either side of the current one


# --- search -----------------------------------------------------------------

def search_page(index, params: SearchParams) -> dict:
    result = render_result(index.search(params.q, filters=params.library_filters() or None, page=params.page,
                                        per_page=params.per_page, sort=params.sort, group=params.group,
                                        facet_size=params.facet_size))
    page = dict(result)
    links = _hit_links(params)
    hits = [_hit(hit, params, links) for hit in result.get("hits", [])]
    page.update(
        ok=True,
        landing=params.landing,
        collection=_collection(index) if params.landing else None,
        hits=_fold(hits) if params.group == "passage" else hits,
        groups=[_group(g, params, links) for g in result.get("groups", [])] if params.group == "report" else None,
        year_from=params.year_from, year_to=params.year_to,
        whole_url=urls.search(params, q=f"“{result['whole']['text']}”") if result.get("whole") else None,
        years=_years(result.get("facets", {}).get("year", []), params),
        facets=_facets(result.get("facets", {}), params),
        facet_size=params.facet_size,
        facets_more=_facets_more(result.get("facet_values", {}), params),
        active_filters=_active_filters(params) + _query_filters(params, result.get("filters", {})),
        links=_search_links(params, result),
        suggestions=_way_out(index, params, result),
    )
    # Research tools (issue 15): links for this query, "did you mean" when nothing matched.
    page.update(tools=research_pages.tools_for(params.q, params.filters),
                did_you_mean=research_pages.did_you_mean(index, params.q, result))
    return page


def _collection(index) -> dict:
    """The home page's view of the collection: it reads every report (19 ms at
    100k passages) and depends only on the generation and, for its links, the
    script root, so it is made once per both (``memo``); pages only read it."""
    from flask import request

    from .browse import collection

    return memo.remembered(index.generation, "collection", request.script_root, lambda: collection(index))


def _hit_links(params: SearchParams) -> dict:
    """URL builders for a page of hits, each made once per page, not per hit."""
    return {"passage": urls.passage_linker(params), "agency": urls.agency_filter(params),
            "report": urls.report("MARKERreport0", params.q).partition("MARKERreport0")}


def _hit(hit: dict, params: SearchParams, links: dict) -> dict:
    hit = dict(hit)
    hit["text"], cut = parts.capped(hit.get("text", ""))     # one huge passage must not swell the page
    if cut:
        hit["text_truncated"] = True
    hit["snippet"] = Markup(hit["snippet"])     # render_result escaped all but its <mark>
    # The passage page's "back to results" comes back to this very page.
    hit["passage_url"] = links["passage"](hit["passage_id"])
    head, _, tail = links["report"]
    hit["report_url"] = f"{head}{hit['report_id']}{tail}#{hit['passage_id']}"
    hit["agency_url"] = links["agency"](hit["agency"]) if hit.get("agency") else None
    return hit


def _fold(hits: list[dict]) -> list[dict]:
    """Passage mode: a hit from a report already shown higher on the page folds
    under that report's first hit (``folded_into``), so a report with three hits
    shows its title once."""
    first: dict[tuple, str] = {}
    for hit in hits:
        # A near miss never folds under a full match: it keeps its label.
        key = (hit["report_id"], hit.get("match"))
        hit["folded_into"] = first.get(key)
        first.setdefault(key, hit["passage_id"])
    return hits


def _group(group: dict, params: SearchParams, links: dict) -> dict:
    """Report mode: a report, its number of hits, its best hit, the link to all of them."""
    return {"report_id": group["report_id"], "count": group["count"], "best": _hit(group["best"], params, links),
            "hits_url": urls.report_hits(params, group["report_id"]),
            "report_url": urls.report(group["report_id"], params.q)}


def _years(counts: list[dict], params: SearchParams) -> list[dict]:
    """The year facet as a histogram, oldest first: each bar selects its year alone."""
    low, high = params.year_from or 0, params.year_to or 9999
    selected = set(params.filters.get("year", []))
    top = max((c["count"] for c in counts), default=1)
    url = urls.year_ranger(params)
    return [{"year": int(c["value"]), "count": c["count"], "height": round(100 * c["count"] / top),
             "selected": bool(params.year_range) and low <= int(c["value"]) <= high or c["value"] in selected,
             "url": url(c["value"])}
            for c in sorted(counts, key=lambda c: int(c["value"]))]


def _facets(facets: dict, params: SearchParams) -> dict:
    """Each value with its count, whether it is selected, and the URL that
    toggles it; selected values missing from the counts stay listed (count 0)
    so they can be unticked where they were ticked."""
    togglers = urls.togglers(params)
    return {key: _facet(key, facets.get(key, []), params, togglers(key)) for key in FACET_KEYS}


def _facet(key: str, every: list[dict], params: SearchParams, toggle_url) -> list[dict]:
    selected = params.filters.get(key, [])
    if not selected:        # the common case: the first values only, not all 600 agencies, none selected
        return [{"value": value, "count": f["count"], "selected": False, "selected_by": None,
                 "toggle_url": toggle_url(value)} for f in every[:params.facet_size] for value in (str(f["value"]),)]
    shown = {str(f["value"]) for f in every}
    # A part of a name (agency=阳江) selects every value containing it: those
    # are listed and marked selected, and unticking one takes the part away.
    parts = {v: {str(f["value"]) for f in every if v in str(f["value"])} for v in selected
             if key in PREFIX_KEYS and v not in shown}
    by_part = {name: part for part, names in parts.items() for name in names}
    # The largest facet_size values, and any selected value beyond them.
    items = [{"value": str(f["value"]), "count": f["count"]} for n, f in enumerate(every)
             if n < params.facet_size or str(f["value"]) in selected or str(f["value"]) in by_part]
    items += [{"value": v, "count": 0} for v in selected if v not in shown and not parts.get(v)]
    for item in items:
        part = by_part.get(item["value"])
        item["selected"] = item["value"] in selected or part is not None
        item["selected_by"] = part
        item["toggle_url"] = urls.toggle(params, key, part) if part else toggle_url(item["value"])
    return items


def _facets_more(values: dict, params: SearchParams) -> dict:
    """Per facet with more values than listed: how many (``facet_values``: the
    library lists only what a page shows), and the URL listing them all."""
    return {key: {"values": values[key],
                  "url": urls.more_facet_values(params, min(values[key], MAX_FACET_SIZE), key)}
            for key in FACET_KEYS if values.get(key, 0) > params.facet_size}


def _active_filters(params: SearchParams) -> list[dict]:
    return [{"key": key, "label": FACET_LABELS[key], "value": value,
             "remove_url": urls.toggle(params, key, value)}
            for key in FILTER_KEYS for value in params.filters.get(key, [])]


def _query_filters(params: SearchParams, applied: dict) -> list[dict]:
    """Filters typed into the query (``agency:阳江``): shown beside the others,
    removed by taking the token out of the query."""
    out = []
    for key in FILTER_KEYS:
        for value in applied.get(key, []):
            if str(value) in params.filters.get(key, []):
                continue
            q = without_filter(params.q, key, str(value))
            out.append({"key": key, "label": FACET_LABELS[key], "value": str(value), "in_query": True,
                        "remove_url": urls.search(params, q=q) if q != params.q else None})
    return out


def _search_links(params: SearchParams, result: dict) -> dict:
    pages = max(1, int(result.get("pages") or 1))
    current = params.page
    window = range(max(1, current - _WINDOW), min(pages, current + _WINDOW) + 1)
    numbers = sorted({1, pages, *window})
    page = urls.pager(params)
    return {
        "self": urls.search(params, page=current),
        "json": urls.search(params, json=True, page=current),
        "prev": page(current - 1) if 1 < current <= pages else None,
        "next": page(current + 1) if current < pages else None,
        "first": page(1),
        "pages": [{"number": n, "url": page(n), "current": n == current} for n in numbers],
        "sort": {order: urls.sort(params, order) for order in ("relevance", "date")},
        "group": {grouping: urls.group(params, grouping) for grouping in ("passage", "report")},
        "export": {fmt: urls.export(params, fmt) for fmt in ("csv", "xlsx", "jsonl")},
        "all_years": urls.year_range(params, None, None) if params.year_range else None,
        "clear_filters": urls.without_filters(params) if params.filters else None,
        "clear_query": urls.search(params, q="") if params.q and params.filters else None,
    }


def _way_out(index, params: SearchParams, result: dict) -> list[dict]:
    """When nothing (or only partial matches) came back: other searches that
    will find something - without the quotes, without filters, one word alone.
    Each is counted first (remembered per generation: ``memo``), so a
    suggestion never leads to nothing."""
    if result.get("total") and not result.get("partial"):
        return []
    filters = params.library_filters() or None
    out = []
    unquoted = without_quotes(params.q)
    if unquoted != params.q and memo.count(index, unquoted, filters):
        out.append({"label": f"不加引号搜索：{unquoted}", "url": urls.search(params, q=unquoted)})
    # One filter is already offered for removal next to the results.
    if sum(len(values) for values in params.filters.values()) > 1 and memo.count(index, params.q):
        out.append({"label": "在全部报告中搜索（清除筛选）", "url": urls.without_filters(params)})
    terms = [t for t in result.get("terms", []) if t]
    if len(terms) > 1:
        out += [{"label": f"只搜：{term}", "url": urls.search(params, q=term)} for term in terms[:5]
                if memo.count(index, f"“{term}”", filters)]
    return out


# --- report and passage -----------------------------------------------------

def report_page(index, report_id: str, q: str = "", focus: str = "", report: dict | None = None,
                part: int | None = None) -> dict:
    """``report``: the report when the caller has read it already.  A huge
    report is shown one part at a time (``parts``): ``part`` asks for one."""
    report = dict(report or index.get_report(report_id))
    terms = _terms(index, q)
    anchors = _heading_anchors(report.get("headings", []))
    every = report.get("passages", [])
    ranges = parts.ranges(every)
    current = parts.choose(ranges, every, part, focus)
    start, end = ranges[current]
    report["passages"] = [_block(index, p, terms, q, anchors, focus) for p in every[start:end]]
    if len(ranges) > 1:      # the text of the part shown, not of all of it: the answer stays bounded
        report["text"] = "\n\n".join(p["text"] for p in report["passages"])
    return {
        "ok": True,
        "query": q,
        "terms": terms,
        "focus": focus or None,
        "report": report,
        "source_link": _http_url(report.get("source_url", "")),
        "toc": _toc(report_id, q, report.get("headings", []), ranges, every, current),
        "parts": _parts(report_id, q, ranges, every, current),
        "links": {"self": urls.report(report_id, q, part=part), "json": urls.report(report_id, q, json=True, part=part),
                  "search": urls.search(SearchParams(q=q)) if q else urls.home()},
        # Research tools (issue 15): the report card and key terms.
        "research": research_pages.report_extras(index, report["id"], report.get("text", "")),
    }


def _toc(report_id: str, q: str, headings: list[dict], ranges, every: list[dict], current: int) -> list[dict]:
    """The contents; a heading in another part links to that part."""
    part_of = parts.part_of_ordinal(ranges, every) if len(ranges) > 1 else {}

    def href(heading: dict) -> str:
        part = part_of.get(heading.get("passage_ordinal", 0), current)
        # No query in the link: repeated in every heading it made one page 11.7 MB (issue 24).
        return "#" + heading["anchor"] if part == current else urls.report(report_id, "", heading["anchor"],
                                                                          part=part + 1)
    return [{"title": h["title"], "level": h["level"], "category": h.get("category", ""), "href": href(h)}
            for h in headings if h.get("anchor")]


def _parts(report_id: str, q: str, ranges, every: list[dict], current: int) -> dict | None:
    """Where this part lies in the report, and links to the others (None: one part)."""
    if len(ranges) <= 1:
        return None
    link = lambda k: urls.report(report_id, q, part=k + 1)  # noqa: E731
    return {
        "current": current + 1, "count": len(ranges), "passages": len(every),
        "first_ordinal": every[ranges[current][0]]["ordinal"], "last_ordinal": every[ranges[current][1] - 1]["ordinal"],
        "prev": link(current - 1) if current else None,
        "next": link(current + 1) if current + 1 < len(ranges) else None,
        "pages": [{"number": k + 1, "url": link(k), "current": k == current,
                   "first_ordinal": every[a]["ordinal"]} for k, (a, _b) in enumerate(ranges)],
    }


def _terms(index, q: str) -> list[str]:
    """Terms to mark; a query the search would reject just marks nothing here,
    since the report itself is still worth showing."""
    if not q:
        return []
    from indexer.api import SearchError

    try:
        return list(index.query_terms(q))
    except SearchError:
        return []


def _heading_anchors(headings: list[dict]) -> dict[int, list[dict]]:
    by_ordinal: dict[int, list[dict]] = {}
    for heading in headings:
        by_ordinal.setdefault(heading.get("passage_ordinal", 0), []).append(heading)
    return by_ordinal


def _block(index, passage: dict, terms: list[str], q: str, anchors: dict, focus: str) -> dict:
    block = dict(passage)
    headings = anchors.get(passage["ordinal"], [])
    level = min((h["level"] for h in headings), default=3) if passage.get("heading") else 0
    text, cut = parts.capped(passage["text"])
    if cut:
        block.update(text=text, truncated=True)
    block.update(
        html=Markup(mark_html(text, find_spans(text, terms))),
        tag=f"h{min(level + 1, 4)}" if level else "p",
        anchors=[h["anchor"] for h in headings if h.get("anchor")],
        url=urls.passage(passage["id"], q),
        focused=passage["id"] == focus,
    )
    return block


def _http_url(url: str) -> str | None:
    """Only http(s) links become links: a manifest could hold ``javascript:``."""
    return url if re.match(r"^https?://[^\s<>\"']+$", url or "", re.I) else None


def passage_page(index, passage_id: str, q: str = "", back: SearchParams | None = None) -> dict:
    """``back``: the search the reader came from; "back to results" returns to
    that page with its filters, sort, page and grouping."""
    report, passage = index.get_report_of(passage_id)
    page = report_page(index, report["id"], q, focus=passage_id, report=report)
    page["passage"] = dict(passage)
    page["passage"]["text"], cut = parts.capped(passage["text"])
    if cut:
        page["passage"]["truncated"] = True
    page["permalink"] = urls.passage(passage_id, external=True)
    page["citation"] = citation(report, passage, page["permalink"])
    page["links"]["self"] = urls.passage(passage_id, q, back=back)
    page["links"]["json"] = urls.passage(passage_id, q, json=True, back=back)
    page["links"]["report"] = urls.report(report["id"], q)
    # Research tools (issue 15): near-identical and related passages in other reports.
    page["similar"] = research_pages.similar(index, passage_id, q)
    if back is not None and not back.landing:
        page["links"]["search"] = urls.search(back)
    return page


def citation(report: dict, passage: dict, permalink: str) -> str:
    """GB/T 7714 for an online document: 责任者. 题名[EB/OL]. (日期)[引用日期]. 原文网址. 引文位置：本站链接"""
    from indexer.api import gbt7714

    return gbt7714(report, passage, permalink)


# --- export and errors ------------------------------------------------------

def search_export(index, params: SearchParams, fmt: str, host_url: str):
    """(body chunks, media type, file name) of the whole result set of a search.
    The search runs before the first byte goes out, so a bad query is a 400."""
    from indexer.api import EXPORT_MEDIA_TYPES, export_chunks, export_rows

    hits = index.iter_hits(params.q, filters=params.library_filters() or None, sort=params.sort)
    rows = export_rows(hits, base_url=host_url.rstrip("/") + urls.home().rstrip("/"))
    return export_chunks(fmt, rows), EXPORT_MEDIA_TYPES[fmt], f"fazhi-search.{fmt}"


def search_error_page(q: str, error) -> dict:
    """A query the search cannot read: the search page with the query kept in
    the box and the message under it (the JSON twin gets the plain error)."""
    return {"ok": False, "query": q, "error": error.message, "hint": error.hint, "status": error.status,
            "landing": False, "sort": "relevance", "group": "passage", "active_filters": [],
            "facets": {}, "hits": [], "links": {"json": None}}
