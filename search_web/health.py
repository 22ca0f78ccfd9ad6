"""``/healthz``: whether the server is ready to answer pages at full speed.

A server loads its index and then warms, in a background thread, what the
first pages need and would otherwise build on demand (seconds at 100k passages,
landing on the first user): it renders one passage page (the Whoosh reader and
searcher for related passages, jieba's whole dictionary for the key terms, the
report's card) and one word search (facets, ranking), through the app itself, so
whatever those pages touch is warm, whatever they are made of.  Until that is
done ``/healthz`` answers 503 with ``ready: false``; then 200 with the serving
generation and its passage count::

    {"ok": true, "ready": true, "generation": "gen-…", "passages": 100015}

``ok`` is false when the index could not be opened (missing, another schema) or
a server's reading of every byte found it damaged, before or after ready: the
pages say why.  Ready does not wait for that reading (2.8 GB at a province's
archive) when every read a page makes is checked as it is made
(``IndexHolder._verify_first``).  The index is read only through the app's holder (``get()``).
An app that was not warmed at start (tests) starts warming at its first ``/healthz``.
"""
from __future__ import annotations

import threading

from flask import Blueprint, Flask, current_app, jsonify
from indexer.api import passage_url

from .index import EXTENSION

bp = Blueprint("health", __name__)
STATE = "fazhi_health"


class Warmer:
    """Loads and warms the app's index once, in a thread of its own."""

    def __init__(self, app: Flask):
        self.app = app
        self.ready = False
        self.failed = False
        self._started = False
        self._lock = threading.Lock()
        self.done = threading.Event()       # the first warm-up over (ready or failed)

    def start(self) -> None:
        """Start loading and warming, once (later calls do nothing)."""
        with self._lock:
            if self._started:
                return
            self._started = True
        holder = self.app.extensions[EXTENSION]
        holder.verify_after(self.done)        # the reading of every byte waits for the warm-up
        threading.Thread(target=self._warm, args=(holder,), name="fazhi-warm-start", daemon=True).start()

    def _warm(self, holder) -> None:
        try:
            self._run(holder)
        finally:
            self.done.set()

    def _run(self, holder) -> None:
        if _has_words(holder.index_dir):
            # jieba's whole dictionary (the key terms of the first passage page)
            # loads meanwhile; an index without words never needs it (queries
            # are cut without it), and its loading would slow the open.
            threading.Thread(target=_load_tokenizer, name="fazhi-warm-jieba", daemon=True).start()
        try:
            index = holder.get()
        except Exception:  # noqa: BLE001 - no index to serve: /healthz says so, the pages say why
            self.failed = True
            with self._lock:
                self._started = False         # the next /healthz tries again (a build may have made it)
            return
        self.failed = False
        try:
            self._first_pages(index)
        except Exception:  # noqa: BLE001 - warming is a best effort; the pages report real errors
            pass
        if holder.serving_damaged():
            self.failed = True
            return
        self.ready = True

    def _first_pages(self, index) -> None:
        gen = index.generation
        if not len(gen.columns["report"]):
            return
        text = gen.texts[0]
        word = "".join(c for c in text if c.isalnum())[:4]
        client = self.app.test_client()
        client.get(passage_url(gen.passage_id(0)))
        if word:
            client.get("/search", query_string={"q": word})


def _has_words(index_dir) -> bool:
    """Whether the index was built with words (also when it cannot tell: a cluster, no index yet)."""
    from indexer.api import check_index_quickly

    if isinstance(index_dir, str):      # a cluster backend's URL
        return True
    try:
        return check_index_quickly(index_dir).get("words", True)
    except Exception:  # noqa: BLE001 - no index (yet): the open says why
        return True


def _load_tokenizer() -> None:
    from indexer.api import load_tokenizer

    try:
        load_tokenizer()
    except Exception:  # noqa: BLE001 - a best effort: the first page that cuts loads it again
        pass


def warmer(app: Flask) -> Warmer:
    """The app's one warmer."""
    return app.extensions.setdefault(STATE, Warmer(app))


def start_warming(app: Flask) -> None:
    """Load and warm the index now, in the background (a server calls this at start)."""
    warmer(app).start()


def register(app: Flask) -> None:
    """Add ``/healthz`` to the app."""
    app.register_blueprint(bp)


@bp.route("/healthz")
def healthz():
    """``{ok, ready, generation, passages}``: 200 once the index is loaded and warm, 503 before."""
    state = warmer(current_app._get_current_object())
    if not state.ready:
        state.start()
        return jsonify(ok=not state.failed, ready=False, generation=None, passages=None), 503
    if current_app.extensions[EXTENSION].serving_damaged():     # found after ready: every page says so
        return jsonify(ok=False, ready=False, generation=None, passages=None), 503
    holder = current_app.extensions[EXTENSION]
    gen = holder.get().generation
    if isinstance(holder.index_dir, str):       # a cluster backend's URL: its generation number and passages
        return jsonify(ok=True, ready=True, generation=f"cluster-{gen.number}", passages=int(gen.passages))
    return jsonify(ok=True, ready=True, generation=gen.path.name, passages=int(len(gen.columns["report"])))
