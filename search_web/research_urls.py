"""URLs of the research tools (issue 15), built like ``urls.py`` builds the
search's: paths from ``url_for``, query strings in a fixed key order without
default values.  Kept beside ``urls.py`` so the tools' links are in one place.

Every tool link carries the whole search state (query, filters, year range,
grouping; the search's sort and page size as ``search_sort`` /
``search_per_page``), so a tool applies what the search applied and its
搜索 tab returns to that very search."""
from __future__ import annotations

from dataclasses import replace

from flask import url_for

from . import urls
from .params import SearchParams


def _pairs(q, state: SearchParams | None, extra: list[tuple[str, object]]) -> list[tuple[str, str]]:
    qs = q if isinstance(q, list) else ([q] if q else [])
    pairs = [("q", v) for v in qs]
    pairs += [(k, v) for k, v in urls.state_pairs(state, tool=True) if k != "q"]
    return pairs + [(k, str(v)) for k, v in extra if v not in (None, "")]


def tool(name: str, q, state: SearchParams | None = None, fmt: str = "", **extra) -> str:
    """``/kwic``, ``/trend``, ``/cards``, ``/compare`` (``fmt``: json or csv) for
    ``q`` (a list for the trend) within the search ``state``."""
    if fmt in ("xlsx", "jsonl", "csv-metadata.json"):   # the export writer's other formats share the csv route
        path = urls._path(f"research.{name}_csv", fmt=fmt)
        return urls._with_query(path, _pairs(q, state, list(extra.items())))
    endpoint = f"research.{name}" + (f"_{fmt}" if fmt else "")
    return urls._with_query(urls._path(endpoint), _pairs(q, state, list(extra.items())))


def search_for(q: str, state: SearchParams | None = None, years: tuple | None = None, **changes) -> str:
    """The search of ``q`` within ``state`` with some filters set to one value
    (``province="广东省"``); ``years``: (from, to) in place of the state's range."""
    state = state or SearchParams()
    filters = {k: list(v) for k, v in state.filters.items()}
    for key, value in changes.items():
        filters[key] = [str(value)]
    if years is not None:
        state = replace(state, year_from=years[0], year_to=years[1])
    return urls.search(state, q=q, filters=filters)


def suggest_json() -> str:
    """The completion endpoint's path."""
    return url_for("research.suggest_json")
