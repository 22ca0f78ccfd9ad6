"""Small answers remembered per index generation: counts and "did you mean"
suggestions that zero-hit and partial pages ask for again and again.

A count depends only on the generation and the question, so it is kept with
the generation (weakly: a generation swapped out takes its answers with it),
each table a ``cachetools.LRUCache`` of bounded size.  The server's threads
share the tables, so every table access holds a lock; the work itself runs
outside it (two threads may both compute an answer: the same one).
"""
from __future__ import annotations

import threading
import weakref

from cachetools import LRUCache

MAX_ENTRIES = 4096          # per table and generation: a few hundred kB at most
_tables: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_lock = threading.Lock()
_MISSING = object()


def remembered(gen, name: str, key, compute):
    """``compute()`` once per (generation, table ``name``, ``key``)."""
    with _lock:
        tables = _tables.setdefault(gen, {})
        table = tables.get(name)
        if table is None:
            table = tables[name] = LRUCache(MAX_ENTRIES)
        value = table.get(key, _MISSING)
    if value is _MISSING:
        value = compute()
        with _lock:
            table[key] = value
    return value


def count(index, q: str, filters: dict | None = None) -> int:
    """``index.count(q, filters)`` (a count: no ranking, facets or snippets),
    remembered.  Keyed by the generation serving now; a swap in between can
    only file one count under the generation leaving."""
    key = (q, tuple((k, tuple(v)) for k, v in sorted((filters or {}).items())))
    return remembered(index.generation, "count", key, lambda: index.count(q, filters or None))
