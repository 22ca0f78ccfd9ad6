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

from indexer.api import find_spans, mark_html, render_result
from markupsafe import Markup

from . import urls
from .params import FACET_KEYS, FILTER_KEYS, MAX_FACET_SIZE, SearchParams

FACET_LABELS = {"agency": "机构", "province": "省份", "city": "城市", "year": "年份", "section": "章节"}
_WINDOW = 2  # pages shown either side of the current one


# --- search -----------------------------------------------------------------

def search_page(index, params: SearchParams) -> dict:
    result = render_result(index.search(params.q, filters=params.filters or None, page=params.page,
                                        per_page=params.per_page, sort=params.sort))
    page = dict(result)
    page.update(
        ok=True,
        landing=params.landing,
        hits=[_hit(hit, params.q) for hit in result.get("hits", [])],
        facets=_facets(result.get("facets", {}), params),
        facet_size=params.facet_size,
        facets_more=_facets_more(result.get("facets", {}), params),
        active_filters=_active_filters(params) + _query_filters(params, result.get("filters", {})),
        links=_search_links(params, result),
        suggestions=_way_out(params, result),
    )
    return page


def _hit(hit: dict, q: str) -> dict:
    hit = dict(hit)
    hit["snippet"] = Markup(hit["snippet"])     # render_result escaped all but its <mark>
    hit["passage_url"] = urls.passage(hit["passage_id"], q)
    hit["report_url"] = urls.report(hit["report_id"], q, anchor=hit["passage_id"])
    return hit


def _facets(facets: dict, params: SearchParams) -> dict:
    """Each value with its count, whether it is selected, and the URL that
    toggles it; selected values missing from the counts stay listed (count 0)
    so they can be unticked where they were ticked."""
    out = {}
    for key in FACET_KEYS:
        selected = params.filters.get(key, [])
        every = facets.get(key, [])
        # The largest facet_size values, and any selected value beyond them.
        items = [{"value": str(f["value"]), "count": f["count"]} for n, f in enumerate(every)
                 if n < params.facet_size or str(f["value"]) in selected]
        shown = {str(f["value"]) for f in every}
        toggle_url = urls.toggler(params, key)
        items += [{"value": value, "count": 0} for value in selected if value not in shown]
        for item in items:
            item["selected"] = item["value"] in selected
            item["toggle_url"] = toggle_url(item["value"])
        out[key] = items
    return out


def _facets_more(facets: dict, params: SearchParams) -> dict:
    """Per facet with more values than listed: how many, and the URL listing them all."""
    return {key: {"values": len(facets[key]),
                  "url": urls.more_facet_values(params, min(len(facets[key]), MAX_FACET_SIZE), key)}
            for key in FACET_KEYS if len(facets.get(key, [])) > params.facet_size}


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
            q = _without_filter_token(params.q, key, str(value))
            out.append({"key": key, "label": FACET_LABELS[key], "value": str(value), "in_query": True,
                        "remove_url": urls.search(params, q=q) if q != params.q else None})
    return out


def _without_filter_token(q: str, key: str, value: str) -> str:
    from indexer.api import FIELD_ALIASES

    names = [key] + [alias for alias, name in FIELD_ALIASES.items() if name == key]
    pattern = rf"(?<!\S)(?:{'|'.join(map(re.escape, names))})[:：]{re.escape(value)}(?!\S)"
    return " ".join(re.sub(pattern, " ", q, flags=re.I).split())


def _search_links(params: SearchParams, result: dict) -> dict:
    pages = max(1, int(result.get("pages") or 1))
    current = params.page
    window = range(max(1, current - _WINDOW), min(pages, current + _WINDOW) + 1)
    numbers = sorted({1, pages, *window})
    return {
        "self": urls.search(params, page=current),
        "json": urls.search(params, json=True, page=current),
        "prev": urls.page(params, current - 1) if 1 < current <= pages else None,
        "next": urls.page(params, current + 1) if current < pages else None,
        "first": urls.page(params, 1),
        "pages": [{"number": n, "url": urls.page(params, n), "current": n == current} for n in numbers],
        "sort": {order: urls.sort(params, order) for order in ("relevance", "date")},
        "clear_filters": urls.without_filters(params) if params.filters else None,
        "clear_query": urls.search(params, q="") if params.q and params.filters else None,
    }


def _way_out(params: SearchParams, result: dict) -> list[dict]:
    """When nothing (or only partial matches) came back: other searches that
    will find something - without the quotes, without filters, one word alone."""
    if result.get("total") and not result.get("partial"):
        return []
    out = []
    unquoted = " ".join(re.sub(r"[\"“”＂「」『』]", " ", params.q).split())
    if unquoted != params.q:
        out.append({"label": f"不加引号搜索：{unquoted}", "url": urls.search(params, q=unquoted)})
    # One filter is already offered for removal next to the results.
    if sum(len(values) for values in params.filters.values()) > 1:
        out.append({"label": "在全部报告中搜索（清除筛选）", "url": urls.without_filters(params)})
    terms = [t for t in result.get("terms", []) if t]
    if len(terms) > 1:
        out += [{"label": f"只搜：{term}", "url": urls.search(params, q=term)} for term in terms[:5]]
    return out


# --- report and passage -----------------------------------------------------

def report_page(index, report_id: str, q: str = "", focus: str = "", report: dict | None = None) -> dict:
    """``report``: the report when the caller has read it already."""
    report = dict(report or index.get_report(report_id))
    terms = _terms(index, q)
    anchors = _heading_anchors(report.get("headings", []))
    report["passages"] = [_block(index, p, terms, q, anchors, focus) for p in report.get("passages", [])]
    return {
        "ok": True,
        "query": q,
        "terms": terms,
        "focus": focus or None,
        "report": report,
        "source_link": _http_url(report.get("source_url", "")),
        "toc": [{"title": h["title"], "level": h["level"], "category": h.get("category", ""),
                 "href": "#" + h["anchor"]} for h in report.get("headings", []) if h.get("anchor")],
        "links": {"self": urls.report(report_id, q), "json": urls.report(report_id, q, json=True),
                  "search": urls.search(SearchParams(q=q)) if q else urls.home()},
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
    block.update(
        html=Markup(mark_html(passage["text"], find_spans(passage["text"], terms))),
        tag=f"h{min(level + 1, 4)}" if level else "p",
        anchors=[h["anchor"] for h in headings if h.get("anchor")],
        url=urls.passage(passage["id"], q),
        focused=passage["id"] == focus,
    )
    return block


def _http_url(url: str) -> str | None:
    """Only http(s) links become links: a manifest could hold ``javascript:``."""
    return url if re.match(r"^https?://[^\s<>\"']+$", url or "", re.I) else None


def passage_page(index, passage_id: str, q: str = "") -> dict:
    report, passage = index.get_report_of(passage_id)
    page = report_page(index, report["id"], q, focus=passage_id, report=report)
    page["passage"] = dict(passage)
    page["permalink"] = urls.passage(passage_id, external=True)
    page["citation"] = citation(report, passage, page["permalink"])
    page["links"]["self"] = urls.passage(passage_id, q)
    page["links"]["json"] = urls.passage(passage_id, q, json=True)
    page["links"]["report"] = urls.report(report["id"], q)
    return page


def citation(report: dict, passage: dict, permalink: str) -> str:
    """``机构：《标题》（2022年），章节，第12段。链接`` with the missing parts left out."""
    head = "：".join(filter(None, [report.get("agency", ""), f"《{report.get('title') or report['id']}》"]))
    if report.get("year"):
        head += f"（{report['year']}年）"
    parts = [head, passage.get("section", ""), f"第{passage['ordinal']}段"]
    return "，".join(filter(None, parts)) + f"。{permalink}"
