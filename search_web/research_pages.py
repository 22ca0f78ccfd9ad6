"""The research tools' pages, each a plain dict: the HTML page renders it, the
``.json`` twin returns it, the ``.csv`` twin writes its ``rows``.  The
library does the counting; this adds links (every line and every point leads
to its passage or its search) and the labels a page shows."""
from __future__ import annotations

from indexer import api
from markupsafe import Markup

from . import chips, memo
from . import research_urls as rurls
from . import urls
from .params import FACET_LABELS, SearchParams

KWIC_SORTS = ("position", "left", "right", "agency", "year")
SORT_LABELS = {"position": "报告顺序", "left": "左侧上下文", "right": "右侧上下文", "agency": "机构", "year": "年份"}
SPLITS = ("auto", "none", "province", "agency_kind", "agency_level")
SPLIT_LABELS = {"none": "不分组", **{split: FACET_LABELS[split] for split in SPLITS[2:]}}
KWIC_COLUMNS = ("passage_id", "agency", "province", "year", "category", "left", "match", "right", "url")


def applied(page: dict, state: SearchParams, link, queries: list[str] | None = None) -> dict:
    """The tool page's filters as chips (``link(state)``: this tool's page for
    another state), 清除全部, the state for the tool form's hidden fields, and
    the tabs (``nav``: the search and each tool, in the same state)."""
    found = chips.filter_chips(state, link, page.get("filters"))
    page.update(active_filters=found, clear_filters=chips.clear_url(state, found, link),
                state=[(k, v) for k, v in urls.state_pairs(state, tool=True) if k != "q"],
                year_from=state.year_from, year_to=state.year_to,
                nav={"search": urls.search(state, page=1), **tools_for(state, queries, every=True)})
    return page


def kwic_page(index, q: str, state: SearchParams, width: int, sort: str, page: int, per_page: int,
              every: bool = False) -> dict:
    """The concordance page as a dict: its lines with links, paging and sort links."""
    result = api.concordance(index, q, state.library_filters(), width=width, sort=sort, page=page,
                             per_page=per_page, every=every)
    passage_url = urls.passage_linker(state, q)
    for line in result["lines"]:
        line["url"] = passage_url(line["passage_id"])
        line["search_url"] = rurls.search_for(q, state, agency=line["agency"]) if line["agency"] else None
    extra = {"width": width if width != 30 else None, "sort": sort if sort != "position" else None,
             "per_page": per_page if per_page != 50 else None}
    link = lambda fmt="", **c: rurls.tool("kwic", q, state, fmt, **{**extra, **c})  # noqa: E731
    pages = result["pages"]
    applied(result, state, lambda s: rurls.tool("kwic", q, s, **extra))
    result.update(ok=True, rows=result["lines"], columns=KWIC_COLUMNS, links={
        "self": link(page=page if page > 1 else None), "json": link("json", page=page if page > 1 else None),
        "csv": link("csv", page=None, per_page=None), "xlsx": link("xlsx", page=None, per_page=None),
        "search": rurls.search_for(q, state), "trend": rurls.tool("trend", q, state),
        "prev": link(page=page - 1 if page > 2 else None) if page > 1 else None,
        "next": link(page=page + 1) if page < pages else None,
        "sort": {s: link(sort=s if s != "position" else None) for s in KWIC_SORTS},
    }, sort_labels=SORT_LABELS)
    return result


def trend_page(index, queries: list[str], state: SearchParams, split: str, top: int, measure: str) -> dict:
    """The trend page as a dict: each query's points per year, its table rows and links."""
    result = api.trend(index, queries, state.library_filters(), split=split, top=top)
    for series in result["series"]:
        for point in series["points"]:
            point["url"] = rurls.search_for(series["query"], state, years=(None, None), year=point["year"])
        field = _split_filter(result["split"])
        for group in series["groups"]:
            for point in group["points"]:
                changes = {"year": point["year"]}
                if field and group["value"] != "其他":     # 未注明: the bucket of reports without one
                    changes[field] = "" if group["value"] == "未注明" else group["value"]
                point["url"] = rurls.search_for(series["query"], state, years=(None, None), **changes)
    q = queries
    applied(result, state, lambda s: rurls.tool("trend", q, s, split=_opt(split, "auto"), top=_opt(top, 5),
                                                 measure=_opt(measure, "share")), queries)
    result.update(ok=True, measure=measure, split_labels=SPLIT_LABELS, rows=_trend_rows(result), links={
        "self": rurls.tool("trend", q, state, split=_opt(split, "auto"), top=_opt(top, 5),
                           measure=_opt(measure, "share")),
        "json": rurls.tool("trend", q, state, "json", split=_opt(split, "auto"), top=_opt(top, 5)),
        "csv": rurls.tool("trend", q, state, "csv", split=_opt(split, "auto"), top=_opt(top, 5)),
        "xlsx": rurls.tool("trend", q, state, "xlsx", split=_opt(split, "auto"), top=_opt(top, 5)),
        "kwic": rurls.tool("kwic", q[0], state) if q else None,
        "split": {s: rurls.tool("trend", q, state, split=_opt(s, "auto"), top=_opt(top, 5),
                                measure=_opt(measure, "share")) for s in SPLITS},
        "measure": {m: rurls.tool("trend", q, state, split=_opt(split, "auto"), top=_opt(top, 5),
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


def cards_page(index, q: str, state: SearchParams, deadline: str, split: str, copied: bool = False) -> dict:
    """The report cards page as a dict: one card per report, the corpus view and links."""
    library = state.library_filters()
    cards = api.report_cards(index, q, library, deadline=deadline or None, copied=copied)
    view = api.corpus_view(index, q, library, deadline=deadline or None, split=split, copied=copied)
    report_url = urls.report_linker(state, q)
    for card in cards:
        card["url"] = report_url(card["report_id"])
    rows = [{**{k: c.get(k) for k in CARD_COLUMNS}, "missing": "、".join(c["missing"])} for c in cards]
    page = applied({"filters": library}, state, lambda s: rurls.tool("cards", q, s, deadline=_opt(deadline, ""),
                                                                      copied=1 if copied else None))
    return {**page, "ok": True, "query": q, "deadline": view["deadline"], "view": view,
            "copied": copied,
            "cards": cards, "rows": rows, "columns": CARD_COLUMNS, "split_labels": SPLIT_LABELS,
            "links": {"self": rurls.tool("cards", q, state, deadline=_opt(deadline, "")),
                      "json": rurls.tool("cards", q, state, "json", deadline=_opt(deadline, "")),
                      "csv": rurls.tool("cards", q, state, "csv", deadline=_opt(deadline, "")),
                      "xlsx": rurls.tool("cards", q, state, "xlsx", deadline=_opt(deadline, "")),
                      "search": rurls.search_for(q, state),
                      "copied": rurls.tool("cards", q, state, deadline=_opt(deadline, ""),
                                           copied=None if copied else 1)}}


LAYOUTS = ("columns", "rows")
COMPARE_COLUMNS = ("report_id", "agency", "year", "province", "title", "passage_id", "matched", "text", "url")


def compare_page(index, q: str, state: SearchParams, category: str, layout: str, page: int, per_page: int) -> dict:
    """The side-by-side page as a dict: each report's passages of one category, with links."""
    result = api.side_by_side(index, q, state.library_filters(), category=category, page=page, per_page=per_page)
    report_url, passage_url = urls.report_linker(state, q), urls.passage_linker(state, q)
    for report in result["reports"]:
        report["url"] = report_url(report["report_id"])
        for passage in report["passages"]:
            passage["url"] = passage_url(passage["passage_id"])
            passage["html"] = Markup(api.mark_html(passage["text"], api.find_spans(passage["text"], result["terms"])))
    extra = {"category": result["category"], "layout": _opt(layout, "columns"), "per_page": _opt(per_page, 20)}
    link = lambda fmt="", **c: rurls.tool("compare", q, state, fmt, **{**extra, **c})  # noqa: E731
    applied(result, state, lambda s: rurls.tool("compare", q, s, **extra))
    result.update(ok=True, layout=layout, categories=list(api.CATEGORIES), links={
        "self": link(page=_opt(page, 1)), "json": link("json", page=_opt(page, 1)),
        "csv": link("csv", page=_opt(page, 1)), "xlsx": link("xlsx", page=_opt(page, 1)),
        "search": rurls.search_for(q, state, section=result["category"]),
        "prev": link(page=_opt(page - 1, 1)) if page > 1 else None,
        "next": link(page=page + 1) if page < result["pages"] else None,
        "layout": {name: link(layout=_opt(name, "columns"), page=_opt(page, 1)) for name in LAYOUTS},
    })
    return result


def compare_rows(page: dict) -> list[dict]:
    """A side-by-side page as a table (``COMPARE_COLUMNS``): one row per passage
    (made for an export only: the JSON twin keeps its nested shape, not twice the text)."""
    return [{**{k: report[k] for k in ("report_id", "agency", "year", "province", "title")},
             **{k: passage[k] for k in ("passage_id", "matched", "text", "url")}}
            for report in page["reports"] for passage in report["passages"]]


def suggest(index, prefix: str, limit: int) -> dict:
    """Completions of ``prefix`` from the index's vocabulary, each with its search link."""
    gen = index.generation
    words = api.complete(gen, prefix, limit) if prefix else []
    for word in words:
        word["url"] = rurls.search_for(word["word"])
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
        try:
            similar_words = memo.remembered(gen, "did_you_mean", term, lambda: api.did_you_mean(gen, term))
        except api.EmbeddedOnly:    # a cluster backend: no vocabulary to suggest from (the page says no hits)
            return []
        for found in similar_words:
            corrected = q.replace(term, found["word"]) if term in q else found["word"]
            out.append({"term": term, "word": found["word"], "passages": found["passages"],
                        "url": rurls.search_for(corrected)})
    return out


def tools_for(state: SearchParams, queries: list[str] | None = None, every: bool = False) -> dict:
    """Links from a search to the tools, for the same query, filters, years,
    grouping, sort and page size (``every``: each tool, even without a query)."""
    q = state.q
    if not q and not every:
        return {"cards": rurls.tool("cards", "", state)}
    return {"kwic": rurls.tool("kwic", q, state), "trend": rurls.tool("trend", queries or q, state),
            "compare": rurls.tool("compare", q, state,
                                  category=(state.filters.get("section") or ["存在的不足和原因"])[0]),
            "cards": rurls.tool("cards", q, state)}


def similar(index, passage_id: str, q: str, back: SearchParams | None = None) -> dict:
    """Near-identical passages (with their differences) and related ones
    (``back``: the search the reader came from, carried by their links)."""
    try:
        found = api.similar_passages(index, passage_id)
    except api.EmbeddedOnly:  # a cluster backend: the passage page without similar passages
        return None
    except OSError:           # no whoosh/ folder: near-identical ones only
        found = api.similar_passages(index, passage_id, related=0)
    passage_url = urls.passage_linker(back, q)
    for item in found["near_identical"] + found["related"]:
        item["url"] = passage_url(item["passage_id"])
    return found


def report_extras(index, report_id: str, text: str, back: SearchParams | None = None) -> dict:
    """The report page's card and key terms.  The key terms (jieba over the
    whole report) are remembered per generation
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
    # A key term is a new query within the search the reader came from.
    terms = [dict(term, url=rurls.search_for(term["word"], back), kwic_url=rurls.tool("kwic", term["word"], back))
             for term in found]
    passage_url = urls.passage_linker(back)
    card["copied_passage_urls"] = [passage_url(pid) for pid in card.get("copied_passage_ids", [])]
    return {"card": card, "key_terms": terms}

