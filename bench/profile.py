"""Where our query time goes: cProfile over ``Index.search`` for the query mix.

``python -m bench.profile [--size 100k] [--index DIR] [--top 25]`` opens the index
the last ``python -m bench`` run built for that size (``bench/out/<size>/
ours-index-build2``), runs the warm-up, then profiles the measured queries through
the library (the same call the web app makes, without HTTP), and prints the
functions by own time and by cumulative time, plus the slowest queries.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time
from pathlib import Path

from .queries import load
from .runner import OUT


def profile_queries(index_dir: Path, mix: dict, top: int = 25) -> str:
    from indexer.api import open_index

    index = open_index(index_dir)
    for query in mix["warmup"]:
        index.search(query["q"], filters=query.get("filters") or {}, per_page=10)
    profiler = cProfile.Profile()
    timings = []
    for query in mix["queries"]:
        started = time.perf_counter()
        profiler.enable()
        index.search(query["q"], filters=query.get("filters") or {}, per_page=10)
        profiler.disable()
        timings.append(((time.perf_counter() - started) * 1000, query))
    index.close()
    out = io.StringIO()
    for order in ("tottime", "cumulative"):
        out.write(f"\n=== by {order} ===\n")
        pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order).print_stats(top)
    out.write("\n=== slowest queries (ms, profiled) ===\n")
    for ms, query in sorted(timings, key=lambda t: -t[0])[:15]:
        out.write(f"{ms:8.1f}  {query['kind']:6} {query['freq']:6} {query['q']}  {query.get('filters') or ''}\n")
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="100k")
    parser.add_argument("--index", default=None, help="index folder (default: the last run's)")
    parser.add_argument("--work", default=str(OUT))
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)
    work = Path(args.work)
    index = Path(args.index) if args.index else work / args.size / "ours-index-build2"
    print(profile_queries(index, load(work / "queries.json"), args.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
