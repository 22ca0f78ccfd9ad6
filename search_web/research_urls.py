"""URLs of the research tools (issue 15), built like ``urls.py`` builds the
search's: paths from ``url_for``, query strings in a fixed key order without
default values.  Kept beside ``urls.py`` so the tools' links are in one place."""
from __future__ import annotations

from flask import url_for

from . import urls
from .params import FILTER_KEYS, SearchParams


def _pairs(q, filters: dict, extra: list[tuple[str, object]]) -> list[tuple[str, str]]:
    qs = q if isinstance(q, list) else ([q] if q else [])
    pairs = [("q", v) for v in qs]
    for key in FILTER_KEYS:
        pairs += [(key, str(value)) for value in (filters or {}).get(key, [])]
    return pairs + [(k, str(v)) for k, v in extra if v not in (None, "")]


def tool(name: str, q, filters: dict | None = None, fmt: str = "", **extra) -> str:
    """``/kwic``, ``/trend``, ``/cards``, ``/compare`` (``fmt``: json, csv, or
    another format of the export writer: xlsx, jsonl, csv-metadata.json)."""
    if fmt in ("xlsx", "jsonl", "csv-metadata.json"):
        path = urls._path(f"research.{name}_csv", fmt=fmt)
        return urls._with_query(path, _pairs(q, filters or {}, list(extra.items())))
    endpoint = f"research.{name}" + (f"_{fmt}" if fmt else "")
    return urls._with_query(urls._path(endpoint), _pairs(q, filters or {}, list(extra.items())))


def search_for(q: str, filters: dict | None = None, **changes) -> str:
    """The search of ``q`` with ``filters`` plus ``changes`` (``year=2022``)."""
    merged = {k: list(v) for k, v in (filters or {}).items()}
    for key, value in changes.items():
        merged[key] = [str(value)]
    return urls.search(SearchParams(q=q, filters=merged))


def suggest_json() -> str:
    return url_for("research.suggest_json")
