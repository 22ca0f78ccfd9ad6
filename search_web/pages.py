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
from dataclasses import replace

from indexer.api import SORTS, find_spans, mark_html, render_result, shown_url, without_quotes
from markupsafe import Markup

from . import chips, memo, parts, research_pages, urls
from .params import FACET_KEYS, MAX_FACET_SIZE, SearchParams

PREFIX_KEYS = ("agency", "province", "city")   # the library admits a part of the name
_WINDOW = 2  # pages shown either side of the current one
PER_PAGE_CHOICES = (10, 20, 50, 100)


# --- search -----------------------------------------------------------------

def search_page(index, params: SearchParams) -> dict:
    """The results page of ``params`` as a dict: hits or report groups, facets, chips and links."""
    result = render_result(index.search(params.q, filters=params.library_filters() or None, page=params.page,
                                        per_page=params.per_page, sort=params.sort, group=params.group,
                                        facet_size=params.facet_size), urls.configured_base())
    page = dict(result)
    links = _hit_links(params)
    link = lambda state: urls.search(state, page=1)  # noqa: E731  (a chip's page: this search without it)
    active = chips.filter_chips(params, link, result.get("filters", {}))
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
        active_filters=active,
        # What the facet numbers count: passages, or reports when the page lists reports.
        facet_unit="份" if params.group == "report" else "段",
        state=urls.state_pairs(params),
        links={**_search_links(params, result), "clear_filters": chips.clear_url(params, active, link)},
        suggestions=_way_out(index, params, result),
    )
    # Research tools (issue 15): links for this query, "did you mean" when nothing matched.
    page.update(tools=research_pages.tools_for(params),
                did_you_mean=research_pages.did_you_mean(index, params.q, result))
    return page


def _collection(index) -> dict:
    """The home page's view of the collection: it reads every report and depends only on the generation and, for its links, the
    script root, so it is made once per both (``memo``); pages only read it."""
    from flask import request

    from .browse import collection

    return memo.remembered(index.generation, "collection", request.script_root, lambda: collection(index))


def _hit_links(params: SearchParams) -> dict:
    """URL builders for a page of hits, each made once per page, not per hit."""
    return {"passage": urls.passage_linker(params), "agency": urls.agency_filter(params),
            "report": urls.report_linker(params)}


def _hit(hit: dict, params: SearchParams, links: dict) -> dict:
    hit = dict(hit)
    hit["text"], cut = parts.capped(hit.get("text", ""))     # one huge passage must not swell the page
    if cut:
        hit["text_truncated"] = True
    hit["snippet"] = Markup(hit["snippet"])     # render_result escaped all but its <mark>
    # The passage page's "back to results" comes back to this very page.
    hit["passage_url"] = links["passage"](hit["passage_id"])
    hit["report_url"] = links["report"](hit["report_id"], hit["passage_id"])
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
            "report_url": links["report"](group["report_id"])}


def _years(counts: list[dict], params: SearchParams) -> list[dict]:
    """The year facet as a histogram, oldest first: each bar selects its year alone
    (the 年份不详 bucket is listed under it, not drawn)."""
    low, high = params.year_from or 0, params.year_to or 9999
    selected = set(params.filters.get("year", []))
    counts = [c for c in counts if str(c["value"])]
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
                 "toggle_url": toggle_url(value)} for n, f in enumerate(every) for value in (str(f["value"]),)
                if n < params.facet_size or value == ""]       # the 未注明 bucket is always listed
    shown = {str(f["value"]) for f in every}
    # A part of a name (agency=阳江) selects every value containing it: those
    # are listed and marked selected, and unticking one takes the part away.
    parts = {v: {str(f["value"]) for f in every if v in str(f["value"])} for v in selected
             if key in PREFIX_KEYS and v and v not in shown}
    by_part = {name: part for part, names in parts.items() for name in names}
    # The largest facet_size values, and any selected value beyond them.
    items = [{"value": str(f["value"]), "count": f["count"]} for n, f in enumerate(every)
             if n < params.facet_size or str(f["value"]) in selected or str(f["value"]) in by_part
             or str(f["value"]) == ""]
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
        "sort": {order: urls.sort(params, order) for order in SORTS},
        "group": {grouping: urls.group(params, grouping) for grouping in ("passage", "report")},
        "per_page": {n: urls.search(params, per_page=n) for n in PER_PAGE_CHOICES},
        "export": {fmt: urls.export(params, fmt) for fmt in ("csv", "xlsx", "jsonl", "ris")},
        "all_years": urls.year_range(params, None, None) if params.year_range else None,
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
    if unquoted != params.q and _finds(index, unquoted, filters):
        out.append({"label": f"不加引号搜索：{unquoted}", "url": urls.search(params, q=unquoted)})
    # One filter is already offered for removal next to the results.
    if sum(len(values) for values in params.filters.values()) > 1 and _finds(index, params.q):
        out.append({"label": "在全部报告中搜索（清除筛选）", "url": urls.without_filters(params)})
    terms = [t for t in result.get("terms", []) if t]
    if len(terms) > 1:
        out += [{"label": f"只搜：{term}", "url": urls.search(params, q=term)} for term in terms[:5]
                if _finds(index, f"“{term}”", filters)]
    return out


def _finds(index, q: str, filters: dict | None = None) -> int:
    """What a suggested search would find; 0 (not offered) when the backend cannot
    answer it (a cluster and a count word: ``会前学法次数`` unquoted asks for numbers)."""
    from indexer.api import EmbeddedOnly

    try:
        return memo.count(index, q, filters)
    except EmbeddedOnly:
        return 0


# --- report and passage -----------------------------------------------------

def report_page(index, report_id: str, q: str = "", focus: str = "", report: dict | None = None,
                part: int | None = None, back: SearchParams | None = None) -> dict:
    """``report``: the report when the caller has read it already.  A huge
    report is shown one part at a time (``parts``): ``part`` asks for one.
    ``back``: the search the reader came from, carried by every link."""
    back = back if back is not None and not back.landing else None
    report = dict(report or index.get_report(report_id))
    terms = _terms(index, q)
    anchors = _heading_anchors(report.get("headings", []))
    every = report.get("passages", [])
    ranges = parts.ranges(every)
    current = parts.choose(ranges, every, part, focus)
    start, end = ranges[current]
    passage_url = urls.passage_linker(back, q)
    report["passages"] = [_block(index, p, terms, passage_url, anchors, focus) for p in every[start:end]]
    if len(ranges) > 1:      # the text of the part shown, not of all of it: the answer stays bounded
        report["text"] = "\n\n".join(p["text"] for p in report["passages"])
    return {
        "ok": True,
        "query": q,
        "terms": terms,
        "focus": focus or None,
        "report": report,
        "source_link": _http_url(report.get("source_url", "")),
        "source_shown": shown_url(report.get("source_url") or ""),
        "toc": _toc(report_id, q, report.get("headings", []), ranges, every, current, back),
        "parts": _parts(report_id, q, ranges, every, current, back),
        "links": {"self": urls.report(report_id, q, part=part, back=back),
                  "json": urls.report(report_id, q, json=True, part=part, back=back),
                  "search": urls.search(back) if back else (urls.search(SearchParams(q=q)) if q else urls.home()),
                  # The same page without the terms marked (the rest of the state kept).
                  "unmark": urls.report(report_id, part=part, back=replace(back, q="") if back else None),
                  "ris": urls.citation_file("report", report_id)},
        "back": back is not None,
        "report_permalink": urls.report_permalink(report_id),
        "report_citation": citation(report, None, urls.report_permalink(report_id, citable=True)),
        # Research tools (issue 15): the report card and key terms.
        "research": research_pages.report_extras(index, report["id"], report.get("text", ""), back),
    }


def _toc(report_id: str, q: str, headings: list[dict], ranges, every: list[dict], current: int,
         back: SearchParams | None = None) -> list[dict]:
    """The contents; a heading in another part links to that part."""
    part_of = parts.part_of_ordinal(ranges, every) if len(ranges) > 1 else {}
    unmarked = replace(back, q="") if back is not None else None

    def href(heading: dict) -> str:
        part = part_of.get(heading.get("passage_ordinal", 0), current)
        # No query in the link: repeated in every heading it made one page 11.7 MB (issue 24);
        # the rest of the search state is a few short parameters.
        return "#" + heading["anchor"] if part == current else urls.report(report_id, "", heading["anchor"],
                                                                          part=part + 1, back=unmarked)
    return [{"title": h["title"], "level": h["level"], "category": h.get("category", ""), "href": href(h)}
            for h in headings if h.get("anchor")]


def _parts(report_id: str, q: str, ranges, every: list[dict], current: int,
           back: SearchParams | None = None) -> dict | None:
    """Where this part lies in the report, and links to the others (None: one part)."""
    if len(ranges) <= 1:
        return None
    link = lambda k: urls.report(report_id, q, part=k + 1, back=back)  # noqa: E731
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


def _block(index, passage: dict, terms: list[str], passage_url, anchors: dict, focus: str) -> dict:
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
        url=passage_url(passage["id"]),
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
    page = report_page(index, report["id"], q, focus=passage_id, report=report, back=back)
    page["passage"] = dict(passage)
    page["passage"]["text"], cut = parts.capped(passage["text"])
    if cut:
        page["passage"]["truncated"] = True
    page["permalink"] = urls.permalink(passage_id)
    page["citation"] = citation(report, passage, urls.permalink(passage_id, citable=True))
    page["links"]["ris"] = urls.citation_file("passage", passage_id)
    page["links"]["self"] = urls.passage(passage_id, q, back=back)
    page["links"]["json"] = urls.passage(passage_id, q, json=True, back=back)
    back = back if back is not None and not back.landing else None
    page["links"]["report"] = urls.report(report["id"], q, back=back)
    page["links"]["unmark"] = urls.passage(passage_id, back=replace(back, q="") if back else None)
    # Research tools (issue 15): near-identical and related passages in other reports.
    page["similar"] = research_pages.similar(index, passage_id, q, back)
    return page


def citation(report: dict, passage: dict | None, permalink: str) -> str:
    """GB/T 7714 for an online document: 责任者. 题名[EB/OL]. (日期)[引用日期]. 原文网址. 引文位置：本站链接"""
    from indexer.api import gbt7714

    return gbt7714(report, passage, permalink)


# --- export and errors ------------------------------------------------------

def search_error_page(q: str, error, retry: dict | None = None) -> dict:
    """A query the search cannot read (or a cluster cannot answer): the search page
    with the query kept in the box and the message under it, and ``retry`` (``{q,
    url}``) when a changed query would answer (the JSON twin gets the plain error)."""
    return {"ok": False, "query": q, "error": error.message, "hint": error.hint, "status": error.status,
            "retry": retry, "landing": False, "sort": "relevance", "group": "passage", "active_filters": [],
            "facets": {}, "hits": [], "links": {"json": None}}
