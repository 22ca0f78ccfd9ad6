"""Load on a served index, shared by ``bench.fault`` and ``bench.swaps``:
client threads asking queries until stopped, a generation swapped in under
the server, and the latency percentiles of what they measured."""
from __future__ import annotations

import itertools
import os
import random
import shutil
import threading
from pathlib import Path
from typing import Callable

from .measure import percentile


class Clients:
    """``count`` threads, each calling ``ask(chooser)`` until :meth:`stop`;
    ``chooser`` is a ``random.Random`` seeded with the thread's number, so a
    run asks the same queries in the same order as the last."""

    def __init__(self, count: int, ask: Callable[[random.Random], None]):
        self.count, self.ask = count, ask
        self.stopping = threading.Event()
        self.threads: list[threading.Thread] = []

    def start(self) -> None:
        """Start the threads."""
        self.threads = [threading.Thread(target=self._run, args=(n,), daemon=True) for n in range(self.count)]
        for thread in self.threads:
            thread.start()

    def _run(self, n: int) -> None:
        chooser = random.Random(n)
        while not self.stopping.is_set():
            self.ask(chooser)

    def stop(self) -> None:
        """Stop asking; wait for each thread's request in flight (a minute at most)."""
        self.stopping.set()
        for thread in self.threads:
            thread.join(60)


def ms_percentiles(ms: list[float]) -> dict:
    """p50, p95, p99 (``measure.percentile``) and max of latencies in ms, to 0.1 ms (None when empty)."""
    pick = lambda pct: round(percentile(ms, pct), 1) if ms else None  # noqa: E731
    return {"p50_ms": pick(50), "p95_ms": pick(95), "p99_ms": pick(99), "max_ms": pick(100)}


_SWAPPED = itertools.count()


def swap_in_copy(index: Path) -> Path:
    """A new generation as a build writes it, swapped in: the serving one's
    files hard-linked (quick), its ``meta.json`` copied (a reader's lock is on
    it, and each generation needs its own).  The one bench module that reaches
    into the store's directory (``indexer.store.directory.layout``): no public
    call swaps in a generation that changes nothing, and a build that changes
    nothing still reads the whole folder, which is not what a swap measures."""
    from indexer.store.directory.layout import current_generation, swap_in

    fresh = index / f"gen-29990101T000000-{os.getpid()}-{next(_SWAPPED)}"
    shutil.copytree(current_generation(index), fresh, copy_function=_link_but_meta)
    swap_in(index, fresh)
    return fresh


def _link_but_meta(source: str, target: str) -> None:
    (shutil.copy2 if source.endswith("meta.json") else os.link)(source, target)
