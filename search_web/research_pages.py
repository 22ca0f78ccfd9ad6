"""The research tools' pages, each a plain dict: the HTML page renders it, the
``.json`` twin returns it, the ``.csv`` twin writes its ``rows``.  The
library does the counting; this adds links (every line and every point leads
to its passage or its search) and the labels a page shows."""
from __future__ import annotations

from indexer import api
from markupsafe import Markup

from . import memo
from . import research_urls as rurls
from . import urls

KWIC_SORTS = ("position", "left", "right", "agency", "year")
SORT_LABELS = {"position": "报告顺序", "left": "左侧上下文", "right": "右侧上下文", "agency": "机构", "year": "年份"}
SPLITS = ("auto", "none", "province", "agency_kind", "agency_level")
SPLIT_LABELS = {"none": "不分组", "province": "省份", "agency_kind": "机构类型", "agency_level": "机构层级"}
KWIC_COLUMNS = ("passage_id", "agency", "province", "year", "category", "left", "match", "right", "url")


def kwic_page(index, q: str, filters: dict, width: int, sort: str, page: int, per_page: int,
              every: bool = False) -> dict:
    result = api.concordance(index, q, filters, width=width, sort=sort, page=page, per_page=per_page,
                             every=every)
    for line in result["lines"]:
        line["url"] = urls.passage(line["passage_id"], q)
        line["search_url"] = rurls.search_for(q, filters, agency=line["agency"]) if line["agency"] else None
    extra = {"width": width if width != 30 else None, "sort": sort if sort != "position" else None,
             "per_page": per_page if per_page != 50 else None}
    link = lambda fmt="", **c: rurls.tool("kwic", q, filters, fmt, **{**extra, **c})  # noqa: E731
    pages = result["pages"]
    result.update(ok=True, rows=result["lines"], columns=KWIC_COLUMNS, links={
        "self": link(page=page if page > 1 else None), "json": link("json", page=page if page > 1 else None),
        "csv": link("csv", page=None, per_page=None),
        "search": rurls.search_for(q, filters), "trend": rurls.tool("trend", q, filters),
        "prev": link(page=page - 1 if page > 2 else None) if page > 1 else None,
        "next": link(page=page + 1) if page < pages else None,
        "sort": {s: link(sort=s if s != "position" else None) for s in KWIC_SORTS},
    }, sort_labels=SORT_LABELS)
    return result


def trend_page(index, queries: list[str], filters: dict, split: str, top: int, measure: str) -> dict:
    result = api.trend(index, queries, filters, split=split, top=top)
    for series in result["series"]:
        for point in series["points"]:
            point["url"] = rurls.search_for(series["query"], filters, year=point["year"])
        field = _split_filter(result["split"])
        for group in series["groups"]:
            for point in group["points"]:
                changes = {"year": point["year"]}
                if field and group["value"] not in ("其他", "不详"):
                    changes[field] = group["value"]
                point["url"] = rurls.search_for(series["query"], filters, **changes)
    q = queries
    result.update(ok=True, measure=measure, split_labels=SPLIT_LABELS, rows=_trend_rows(result), links={
        "self": rurls.tool("trend", q, filters, split=_opt(split, "auto"), top=_opt(top, 5),
                           measure=_opt(measure, "share")),
        "json": rurls.tool("trend", q, filters, "json", split=_opt(split, "auto"), top=_opt(top, 5)),
        "csv": rurls.tool("trend", q, filters, "csv", split=_opt(split, "auto"), top=_opt(top, 5)),
        "kwic": rurls.tool("kwic", q[0], filters) if q else None,
        "split": {s: rurls.tool("trend", q, filters, split=_opt(s, "auto"), top=_opt(top, 5),
                                measure=_opt(measure, "share")) for s in SPLITS},
        "measure": {m: rurls.tool("trend", q, filters, split=_opt(split, "auto"), top=_opt(top, 5),
                                  measure=_opt(m, "share")) for m in ("share", "reports", "passages")},
    })
    return result


def _opt(value, default):
    return None if value == default else value


def _split_filter(split: str) -> str | None:
    """The search filter a split value can be clicked through to: province, and
    any other split the search page filters on (agency kind, once it is one)."""
    from .params import FILTER_KEYS

    return split if split in FILTER_KEYS else None


def _trend_rows(result: dict) -> list[dict]:
    rows = []
    for series in result["series"]:
        for point in series["points"]:
            rows.append({"query": series["query"], "group": "", **point})
        for group in series["groups"]:
            for point in group["points"]:
                rows.append({"query": series["query"], "group": group["value"], "year": point["year"],
                             "reports": point["reports"], "url": point["url"]})
    return rows


CARD_COLUMNS = ("report_id", "agency", "year", "date", "deadline", "status", "days_late", "missing",
                "length", "passages", "figures", "copied_passages", "url")


def cards_page(index, q: str, filters: dict, deadline: str, split: str, copied: bool = False) -> dict:
    cards = api.report_cards(index, q, filters, deadline=deadline or None, copied=copied)
    view = api.corpus_view(index, q, filters, deadline=deadline or None, split=split, copied=copied)
    for card in cards:
        card["url"] = urls.report(card["report_id"])
    rows = [{**{k: c.get(k) for k in CARD_COLUMNS}, "missing": "、".join(c["missing"])} for c in cards]
    return {"ok": True, "query": q, "filters": filters, "deadline": view["deadline"], "view": view,
            "copied": copied,
            "cards": cards, "rows": rows, "columns": CARD_COLUMNS, "split_labels": SPLIT_LABELS,
            "links": {"self": rurls.tool("cards", q, filters, deadline=_opt(deadline, "")),
                      "json": rurls.tool("cards", q, filters, "json", deadline=_opt(deadline, "")),
                      "csv": rurls.tool("cards", q, filters, "csv", deadline=_opt(deadline, "")),
                      "search": rurls.search_for(q, filters),
                      "copied": rurls.tool("cards", q, filters, deadline=_opt(deadline, ""),
                                           copied=None if copied else 1)}}


LAYOUTS = ("columns", "rows")


def compare_page(index, q: str, filters: dict, category: str, layout: str, page: int, per_page: int) -> dict:
    result = api.side_by_side(index, q, filters, category=category, page=page, per_page=per_page)
    for report in result["reports"]:
        report["url"] = urls.report(report["report_id"], q)
        for passage in report["passages"]:
            passage["url"] = urls.passage(passage["passage_id"], q)
            passage["html"] = Markup(api.mark_html(passage["text"], api.find_spans(passage["text"], result["terms"])))
    extra = {"category": result["category"], "layout": _opt(layout, "columns"), "per_page": _opt(per_page, 20)}
    link = lambda fmt="", **c: rurls.tool("compare", q, filters, fmt, **{**extra, **c})  # noqa: E731
    result.update(ok=True, layout=layout, categories=list(api.CATEGORIES), links={
        "self": link(page=_opt(page, 1)), "json": link("json", page=_opt(page, 1)),
        "search": rurls.search_for(q, {**filters, "section": [result["category"]]}),
        "prev": link(page=_opt(page - 1, 1)) if page > 1 else None,
        "next": link(page=page + 1) if page < result["pages"] else None,
        "layout": {name: link(layout=_opt(name, "columns"), page=_opt(page, 1)) for name in LAYOUTS},
    })
    return result


def suggest(index, prefix: str, limit: int) -> dict:
    gen = index.generation
    words = api.complete(gen, prefix, limit) if prefix else []
    for word in words:
        word["url"] = rurls.search_for(word["word"], {})
    return {"ok": True, "query": prefix, "completions": words}


# --- hooks the search, report and passage pages call (one line each) --------

def did_you_mean(index, q: str, result: dict) -> list[dict]:
    """For a search with no hits or only partial ones: vocabulary words one
    edit from each term that no passage holds.  Whether a term is held is a
    count, and both answers are remembered per generation (``memo``): a
    zero-hit page had run a whole search (ranking, facets, snippets) per term.
    (Quoted as ``pages._way_out`` quotes a term: the same count, counted once.)"""
    if not q or (result.get("total") and not result.get("partial")):
        return []
    terms = result.get("terms", [])[:4]
    unmatched = [t for t in terms if len(terms) == 1 or not memo.count(index, f"“{t}”")]
    gen = index.generation
    out: list[dict] = []
    for term in unmatched:
        for found in memo.remembered(gen, "did_you_mean", term, lambda: api.did_you_mean(gen, term)):
            corrected = q.replace(term, found["word"]) if term in q else found["word"]
            out.append({"term": term, "word": found["word"], "passages": found["passages"],
                        "url": rurls.search_for(corrected, {})})
    return out


def tools_for(q: str, filters: dict) -> dict:
    """Links from a search to the tools, for the same query and filters."""
    if not q:
        return {"cards": rurls.tool("cards", "", filters)}
    return {"kwic": rurls.tool("kwic", q, filters), "trend": rurls.tool("trend", q, filters),
            "compare": rurls.tool("compare", q, filters, category=(filters.get("section") or ["存在的不足和原因"])[0]),
            "cards": rurls.tool("cards", q, filters)}


def similar(index, passage_id: str, q: str) -> dict:
    """Near-identical passages (with their differences) and related ones."""
    try:
        found = api.similar_passages(index, passage_id)
    except api.EmbeddedOnly:  # a cluster backend: the passage page without similar passages
        return None
    except OSError:           # no whoosh/ folder: near-identical ones only
        found = api.similar_passages(index, passage_id, related=0)
    for item in found["near_identical"] + found["related"]:
        item["url"] = urls.passage(item["passage_id"], q)
    return found


def report_extras(index, report_id: str, text: str) -> dict:
    """The report page's card and key terms.  The key terms (jieba over the
    whole report, about 100 ms at 100k passages) are remembered per generation
    and report text: every passage page of a report shows the same ones."""
    try:
        card = api.card_of(index, report_id)
    except api.EmbeddedOnly:  # a cluster backend: the report page without its card and key terms
        return None
    gen = index.generation
    try:
        found = memo.remembered(gen, "key_terms", (report_id, len(text), hash(text)),
                                lambda: api.key_terms(gen, text))
    except OSError:           # an index whose whoosh/ folder is gone: the page without key terms
        found = []
    terms = [dict(term, url=rurls.search_for(term["word"], {}), kwic_url=rurls.tool("kwic", term["word"], {}))
             for term in found]
    return {"card": card, "key_terms": terms}

