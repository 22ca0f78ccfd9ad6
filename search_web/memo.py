"""Small answers remembered per index generation: counts and "did you mean"
suggestions that zero-hit and partial pages ask for again and again.

A count depends only on the generation and the question, so it is kept with
the generation (weakly: a generation swapped out takes its answers with it)
and each table is bounded, oldest first out.  Threads may race to fill an
entry; both compute the same answer, so no lock is needed around the work.
"""
from __future__ import annotations

import threading
import weakref

MAX_ENTRIES = 4096          # per table and generation: a few hundred kB at most
_tables: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def _table(gen, name: str) -> dict:
    with _lock:
        return _tables.setdefault(gen, {}).setdefault(name, {})


def remembered(gen, name: str, key, compute):
    """``compute()`` once per (generation, table ``name``, ``key``)."""
    table = _table(gen, name)
    try:
        return table[key]
    except KeyError:
        pass
    value = compute()
    if len(table) >= MAX_ENTRIES:
        try:
            del table[next(iter(table))]
        except (KeyError, RuntimeError, StopIteration):   # another thread got there first
            pass
    table[key] = value
    return value


def count(index, q: str, filters: dict | None = None) -> int:
    """``index.count(q, filters)`` (a count: no ranking, facets or snippets),
    remembered.  Keyed by the generation serving now; a swap in between can
    only file one count under the generation leaving."""
    key = (q, tuple((k, tuple(v)) for k, v in sorted((filters or {}).items())))
    return remembered(index.generation, "count", key, lambda: index.count(q, filters or None))
