"""The ceiling for a jieba-based indexer: jieba tokenization alone, on the same
text, with the project's domain dictionary, precise mode without HMM (as the
indexer cuts), on one process and on ``procs`` processes.

Dictionary loading is done before the clock starts (in every worker too), so
the figure is the tokenizing rate alone.
"""
from __future__ import annotations

import logging
import multiprocessing
import time
from pathlib import Path

from ..textnorm import norm

USER_DICT = Path(__file__).resolve().parents[2] / "indexer" / "analysis" / "userdict.txt"


def _init() -> None:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    if USER_DICT.exists():
        jieba.load_userdict(str(USER_DICT))


def _cut_chunk(texts: list[str]) -> int:
    import jieba

    return sum(sum(1 for _ in jieba.dt.cut(t, HMM=False)) for t in texts)


def tokenize(texts: list[str], procs: int = 1) -> dict:
    """Seconds to cut every text, and the number of tokens."""
    texts = [norm(t) for t in texts]
    if procs <= 1:
        _init()
        started = time.perf_counter()
        tokens = _cut_chunk(texts)
        return {"seconds": time.perf_counter() - started, "tokens": tokens, "procs": 1}
    chunks = [texts[i:i + 2000] for i in range(0, len(texts), 2000)]
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(procs, initializer=_init) as pool:
        pool.map(_cut_chunk, [["预热"]] * procs)       # workers have loaded the dictionary
        started = time.perf_counter()
        tokens = sum(pool.map(_cut_chunk, chunks, chunksize=1))
        seconds = time.perf_counter() - started
    return {"seconds": seconds, "tokens": tokens, "procs": procs}
