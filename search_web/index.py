"""The open index, shared by every request of one app.

Opening an index loads its segments and the tokenizer dictionaries, so it is
done once per app, not per request.  A rebuild swaps a new index in beside the
open one; ``refresh()`` notices and reopens, so each request calls it once and
the site follows rebuilds without a restart.  Nothing here writes to the index.
"""
from __future__ import annotations

import gc
import threading
from pathlib import Path

from flask import current_app, g

EXTENSION = "fazhi_index"


class IndexHolder:
    """Opens the index on first use and retries on the next request when it is
    missing, so building the index while the site runs makes it appear."""

    def __init__(self, index_dir: Path, freeze_gc: bool = False, warm_words: bool = False):
        # an index folder, or a cluster backend URL (mroonga://…, indexer.api.open_index opens both)
        self.index_dir = index_dir if isinstance(index_dir, str) and "://" in index_dir else Path(index_dir)
        self.freeze_gc = freeze_gc      # see _freeze_loaded; off under tests (one process runs them all)
        self.warm_words = warm_words    # see _warm_later; off under tests (a thread per app and swap)
        self._index = None
        self._lock = threading.Lock()

    def get(self, refresh: bool = True):
        from indexer.api import open_index

        # One lock around open and refresh: two threads must not reopen at once.
        with self._lock:
            if self._index is None:
                self._index = open_index(self.index_dir)
                self._loaded()
            elif refresh and self._index.refresh():
                self._loaded()
            return self._index

    def _loaded(self) -> None:
        if self.freeze_gc:
            _freeze_loaded()
        if self.warm_words:     # after the freeze: what it builds is small, and it is not waited for
            _warm_later(self._index.generation)

    def close(self) -> None:
        with self._lock:
            if self._index is not None:
                self._index.close()
                self._index = None


def _freeze_loaded() -> None:
    """Move what the index just loaded out of the garbage collector's sight.

    A generation holds a list of every normalized passage text (and an object
    array of the same): the collector's full passes walked them each time, 13 ms
    at 100k passages and far more at a province's archive, landing on whichever
    request was running.  So, as servers that fork workers do, collect once and
    freeze the survivors (``gc.freeze``).  A frozen object is never collected, so
    each swap first thaws what the last one froze: cyclic garbage of a replaced
    generation (a Whoosh reader, say) is collected then, not kept for ever.  A
    generation a request still holds at the swap is frozen with the rest, so its
    cyclic garbage, if any, waits for the next swap; its files do not (a retired
    generation is closed explicitly by its last request, see ``Index.using``)."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def _warm_later(gen) -> None:
    """File the generation's vocabulary for "did you mean" in a background
    thread (``indexer.api.warm_words``, 0.2 s at 100k passages): built on first
    use, it landed on the first search with no hits after each load or swap.
    A request that needs it sooner waits for the same build (the library's
    lock), never builds it twice.  A failure here (an index without words, a
    generation closed under it) is left for that request to meet as before."""
    def warm() -> None:
        from indexer.api import warm_words

        try:
            warm_words(gen)
        except Exception:   # noqa: BLE001 - a best effort; the request path reports real errors
            pass
    threading.Thread(target=warm, name="fazhi-warm-words", daemon=True).start()


def get_index():
    """The app's index, refreshed at most once per request, its serving
    generation held open until the request ends (``Index.using``): a rebuild
    swapped in meanwhile closes the old one only after every page that started
    on it (search, report, research tools) is done with it."""
    if "_index" not in g:
        holder: IndexHolder = current_app.extensions[EXTENSION]
        index = holder.get(refresh=True)
        hold = index.using()
        hold.__enter__()
        g._index, g._index_hold = index, hold
    return g._index


def release_index(_error=None) -> None:
    """Registered as an app-context teardown: let go of the request's generation."""
    hold = g.pop("_index_hold", None)
    g.pop("_index", None)
    if hold is not None:
        hold.__exit__(None, None, None)
