"""The open index, shared by every request of one app.

Opening an index loads its segments and the tokenizer dictionaries, so it is
done once per app, not per request.  A rebuild swaps a new generation in beside
the open one; as Lucene's ``SearcherManager`` does, the first request to notice
starts loading it in a background thread and goes on with the generation it
has: no request waits for a load (nor for the collector's pass after it), and
the swap is one reference assignment.  Each request acquires a searcher handle
(``Index.acquire``), keeps it on ``g`` and releases it at its end, so every read
of the request, research tools included, sees one generation.  A generation
that fails to load (damaged, half copied) is refused with a one-line message on
stderr and the previous one keeps serving.  Nothing here writes to the index.
"""
from __future__ import annotations

import gc
import sys
import threading
from pathlib import Path

from flask import current_app, g
from indexer.api import IndexDamaged, serving_generation_name

EXTENSION = "fazhi_index"


class IndexHolder:
    """Opens the index on first use and retries on the next request when it is
    missing, so building the index while the site runs makes it appear.
    ``wait_for_swap``: a request that notices a new generation waits for it to
    load (tests: the next request after a build sees it); a server does not."""

    def __init__(self, index_dir: Path, freeze_gc: bool = False, warm_words: bool = False,
                 wait_for_swap: bool = False, verify_in_background: bool = False):
        # an index folder, or a cluster backend URL (mroonga://…, indexer.api.open_index opens both)
        self.index_dir = index_dir if isinstance(index_dir, str) and "://" in index_dir else Path(index_dir)
        self.freeze_gc = freeze_gc      # see freeze_loaded; off under tests (one process runs them all)
        self.warm_words = warm_words    # see _warm_later; off under tests (a thread per app and swap)
        self.wait_for_swap = wait_for_swap
        self.verify_in_background = verify_in_background    # see _verify_first
        self._verifier: threading.Thread | None = None
        self._warmed: threading.Event | None = None     # see verify_after
        self._index = None
        self._opening = threading.Lock()    # the first open only: before it there is nothing to serve
        self._loading = threading.Lock()    # one background load at a time; never waited on by a request
        self._loader: threading.Thread | None = None
        self.refused: dict[str, Exception] = {}   # generation folder → why it was not swapped in
        self._swaps = 0                     # generations loaded (the first included)

    def acquire(self):
        """A searcher on the serving generation (release it: ``release_index``)."""
        index = self._index
        if index is None:
            index = self._open()
        else:
            self._notice_swap(index)
        return index.acquire()

    def get(self, refresh: bool = True):
        """The open ``Index`` (tests and tools; requests use ``acquire``)."""
        index = self._index or self._open()
        if refresh:
            self._notice_swap(index)
        return self._index

    def _open(self):
        from indexer.api import open_index

        with self._opening:
            if self._index is None:
                self._refuse_known_damage()
                index = open_index(self.index_dir)      # every file's size checked
                if self.verify_in_background and getattr(index.generation, "checked_as_read", False):
                    self._verify_first(index)
                else:
                    try:
                        _verified(index.generation)     # every byte, once: nothing else serves yet
                    except IndexDamaged as exc:
                        self.refused[index.generation.path.name] = exc
                        index.close()
                        raise
                self._loaded(index.generation)
                self._index = index
            return self._index

    def _verify_first(self, index) -> None:
        """Read every byte of the first generation in a thread of its own while
        it already serves (a server): at a province's archive that is 2.8 GB,
        seconds of the start.  Only a generation whose every read is checked as
        it is made (``Generation.checked_as_read``: the display texts and the
        postings' blocks carry their own checksums, what is read whole is
        checked whole) serves meanwhile; one written before that is read whole
        first.  Its sizes were checked at open, so a truncated or half-copied
        file is refused at once; a changed byte no request reads (the
        normalized texts of an archive, Whoosh's files before a page opens
        them) is found later, and from then on every request gets the
        damaged-index page (as after a failed open) while ``/healthz`` says not
        ok.  A server's reading starts once its warm-up is done
        (``verify_after``): its threads and the warm-up's would share the GIL
        and two cores, and the first answers would wait."""
        def verify() -> None:
            if self._warmed is not None:
                self._warmed.wait(WARM_UP_WAIT)
            gen = index.generation
            try:
                gen.verify()
            except (IndexDamaged, OSError) as exc:
                if self._index is not index:
                    return      # swapped out meanwhile (a rebuild): its files may be gone, nothing to refuse
                self.refused[gen.path.name] = exc
                print(f"fazhi-search: not serving {gen.path.name}: {_one_line(exc)} (rebuild it: "
                      f"python -m indexer build --index {self.index_dir})", file=sys.stderr, flush=True)
                with self._opening:
                    if self._index is index:
                        self._index = None      # the requests under way finish on it; it closes when dropped
        self._verifier = threading.Thread(target=verify, name="fazhi-verify", daemon=True)
        self._verifier.start()

    def verify_after(self, warmed: threading.Event) -> None:
        """Begin the background reading of every byte (``_verify_first``) only
        once ``warmed`` is set (or after ``WARM_UP_WAIT`` seconds): a server's
        warm-up calls this before it opens the index."""
        self._warmed = warmed

    def verified(self, timeout: float | None = None) -> bool:
        """Wait for the first generation's check (if any runs); whether it passed."""
        verifier = self._verifier
        if verifier is not None:
            verifier.join(timeout)
            if verifier.is_alive():
                return False
        return self._index is not None

    def serving_damaged(self) -> bool:
        """Whether the generation ``CURRENT`` names was found damaged (at open, or
        by the background reading of every byte after it began to serve)."""
        if not isinstance(self.index_dir, Path):
            return False
        try:
            target = serving_generation_name(self.index_dir)
        except Exception:  # noqa: BLE001 - no index there: nothing found damaged
            return False
        return isinstance(self.refused.get(target), IndexDamaged)

    def _refuse_known_damage(self) -> None:
        """Answer at once for a generation found damaged before (no re-reading it
        for every request) while ``CURRENT`` still names it."""
        target = serving_generation_name(self.index_dir)
        if isinstance(self.refused.get(target), IndexDamaged):
            raise self.refused[target]

    def _notice_swap(self, index) -> None:
        before = index.generation
        target = index.stale()
        if index.generation is not before:
            # A cluster client reloads its report table in place (``ClusterIndex.stale``):
            # frozen like a swapped-in generation, or every full pass of the collector
            # walks it (35-60 ms, every few requests at 1 M passages: BENCHMARKS.md).
            self._loaded(index.generation)
        if target is None or target in self.refused:
            return
        if self._loading.acquire(blocking=False):
            self._loader = threading.Thread(target=self._load_in_background, args=(index, target),
                                            name="fazhi-load-generation", daemon=True)
            self._loader.start()
        if self.wait_for_swap:
            self.wait()

    def wait(self, timeout: float | None = None) -> None:
        """Until the background load under way (if any) has swapped its generation in."""
        loader = self._loader
        if loader is not None:
            loader.join(timeout)

    def _load_in_background(self, index, target: str) -> None:
        try:
            try:
                fresh = index.load_fresh()
                _verified(fresh)
            except Exception as exc:   # noqa: BLE001 - any failure: keep serving, say why once
                self.refused[target] = exc
                print(f"fazhi-search: not serving {target}: {_one_line(exc)}; the previous generation "
                      f"keeps serving (rebuild it: python -m indexer build --index {self.index_dir})",
                      file=sys.stderr, flush=True)
                return
            self._loaded(fresh)         # before the swap: requests never meet the collector's pass
            index.swap(fresh)
        finally:
            self._loading.release()

    def _loaded(self, gen) -> None:
        if self.freeze_gc:
            self._swaps += 1
            freeze_loaded(full=self._swaps % FULL_COLLECT_EVERY == 1)
        if self.warm_words:     # after the freeze: what it builds is small, and it is not waited for
            _warm_later(gen)

    def close(self) -> None:
        """Wait for a load under way, then close the index."""
        self.wait()
        with self._opening:
            if self._index is not None:
                self._index.close()
                self._index = None


def _verified(gen) -> None:
    """Every byte of a generation against its build's checksums, before it serves
    (a swap's in the background: no request waits); a damaged one is closed and refused."""
    try:
        gen.verify()
    except BaseException:
        gen.close()
        raise


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    hint = getattr(exc, "hint", None)
    return f"{text}（{hint}）" if hint else text


FULL_COLLECT_EVERY = 64     # swaps: see freeze_loaded
WARM_UP_WAIT = 60           # seconds the background check waits for the warm-up at most


def freeze_loaded(full: bool = True) -> None:
    """Move what the index just loaded out of the garbage collector's sight.

    A generation holds a list of every normalized passage text (and an object
    array of the same): the collector's full passes walked them each time
    (BENCHMARKS.md), and far longer at a province's archive, landing on whichever
    request was running.  So, as servers that fork workers do, collect once and
    freeze the survivors (``gc.freeze``).  A frozen object is never collected.
    At a swap only what is not frozen yet is collected (the new generation and
    the garbage since the last freeze): thawing everything and collecting it
    again held the GIL for tens of milliseconds, a stall for every request at every
    swap.  What a replaced generation leaves frozen is little (it is closed and
    freed by reference counting: about 18 objects a swap, measured), so only
    every ``FULL_COLLECT_EVERY`` swaps (``full``) is everything thawed and
    collected, and that little is not kept for ever."""
    if full:
        gc.unfreeze()
    gc.collect()
    gc.freeze()


def _warm_later(gen) -> None:
    """File the generation's vocabulary for "did you mean" in a background
    thread (``indexer.api.warm_words``): built on first
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
    """The request's searcher: acquired once per request, on the generation then
    serving, and released when the request ends (``release_index``; an export is
    written whole within its request, ``export_slots``, and sent after it).  A
    rebuild swapped in meanwhile closes the old generation only after every
    request that started on it (search, report, research tools) has let go."""
    if "_index" not in g:
        holder: IndexHolder = current_app.extensions[EXTENSION]
        g._index = holder.acquire()
    return g._index


def release_index(_error=None) -> None:
    """Registered as an app-context teardown: let go of the request's generation."""
    searcher = g.pop("_index", None)
    if searcher is not None:
        searcher.release()
