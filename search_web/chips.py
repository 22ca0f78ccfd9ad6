"""The filters a page applied, as chips: each with the link that takes it away
and keeps everything else, on whatever page shows them (the search, a tool).

``link(state)`` builds the URL of the page itself for another search state,
so a chip on the concordance removes the filter and stays on the concordance."""
from __future__ import annotations

from dataclasses import replace

from indexer.api import without_filter

from .params import FACET_LABELS, FILTER_KEYS, SearchParams

MISSING_LABEL = "未注明"


def value_label(value) -> str:
    """How a filter value is shown: the empty value is the 未注明 bucket."""
    return str(value) if str(value) != "" else MISSING_LABEL


def filter_chips(state: SearchParams, link, applied: dict | None = None) -> list[dict]:
    """Chips of the filters given as parameters, of the year range, and of those
    typed into the query (``applied``: the filters the library applied, which
    include both; a typed one is taken away by taking it out of the query)."""
    chips = []
    for key in FILTER_KEYS:
        for value in state.filters.get(key, []):
            kept = [v for v in state.filters[key] if v != value]
            filters = {k: v for k, v in state.filters.items() if k != key} | ({key: kept} if kept else {})
            chips.append({"key": key, "label": FACET_LABELS[key], "value": value, "shown": value_label(value),
                          "remove_url": link(replace(state, filters=filters))})
    if state.year_range:
        chips.append({"key": "year_range", "label": "年份", "value": state.year_range,
                      "shown": f"{state.year_from or ''}–{state.year_to or ''}",
                      "remove_url": link(replace(state, year_from=None, year_to=None))})
    for key in FILTER_KEYS:
        for value in (applied or {}).get(key, []):
            value = str(value)
            if value in state.filters.get(key, []) or (key == "year" and value == state.year_range):
                continue        # given as a parameter, shown above
            q = without_filter(state.q, key, value)
            chips.append({"key": key, "label": FACET_LABELS[key], "value": value, "shown": value_label(value),
                          "in_query": True, "remove_url": link(replace(state, q=q)) if q != state.q else None})
    return chips


def clear_url(state: SearchParams, chips: list[dict], link) -> str | None:
    """清除全部: every filter and the year range gone (typed ones stay in the
    query, shown there); offered when more than one can go."""
    if sum(1 for chip in chips if not chip.get("in_query")) < 2:
        return None
    return link(replace(state, filters={}, year_from=None, year_to=None))
