"""Time two versions of the library against each other, query by query.

``python -m bench.alternate --old TREE --new TREE [--index DIR] [--work bench/out] [--rounds 3]``

Each tree (a checkout: ``git archive COMMIT | tar -x -C TREE``) gets its own
worker process that opens the index and answers ``Index.search`` calls sent over
a pipe, timing each call itself.  The driver sends every query to both, old
first and new first in turn, so whatever else loads the machine falls on both
alike.  Prints p50/p95 per query kind (the bench mix's kind and frequency, and
the shapes: sort=date, group=report, page 3, long quoted, long pasted).
``--facet-size N``: both trees' searches ask for ``facet_size=N`` (what a page
shows); without it, every value.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

from .equivalence import _piece
from .measure import percentile
from .queries import load
from .runner import OUT

WORKER = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
from indexer.api import open_index
index = open_index(sys.argv[2])
extra = {"facet_size": int(sys.argv[3])} if sys.argv[3] else {}
print("ready", flush=True)
for line in sys.stdin:
    call = json.loads(line)
    started = time.perf_counter()
    index.search(call["q"], filters=call["filters"], page=call["page"], per_page=10,
                 sort=call["sort"], group=call["group"], **extra)
    print((time.perf_counter() - started) * 1000, flush=True)
"""


def calls(mix: dict, pieces: list[str]) -> list[dict]:
    """(kind, search arguments) of every timed call."""
    base = {"filters": {}, "page": 1, "sort": "relevance", "group": "passage"}
    out = []
    for q in mix["queries"]:
        kind, plain = f"{q['kind']}-{q['freq']}", {**base, "q": q["q"], "filters": q.get("filters") or {}}
        out.append({**plain, "kind": kind})
        out.append({**plain, "kind": "date", "sort": "date"})
        out.append({**plain, "kind": "report", "group": "report"})
        out.append({**plain, "kind": "page3", "page": 3})
    for n, piece in enumerate(pieces):
        out.append({**base, "q": f'"{piece}"' if n % 2 else piece, "kind": "long" if n % 2 else "pasted"})
    return out


class Worker:
    def __init__(self, tree: Path, index: Path, facet_size: int | None = None):
        self.process = subprocess.Popen([sys.executable, "-c", WORKER, str(tree), str(index),
                                         "" if facet_size is None else str(facet_size)], cwd=str(tree),
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout.readline().strip() == "ready"

    def time(self, call: dict) -> float:
        self.process.stdin.write(json.dumps(call, ensure_ascii=False) + "\n")
        self.process.stdin.flush()
        return float(self.process.stdout.readline())

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait()


def measure(old: Path, new: Path, index: Path, todo: list[dict], warmup: list[dict], rounds: int,
            facet_size: int | None = None) -> dict:
    workers = {"old": Worker(old, index, facet_size), "new": Worker(new, index, facet_size)}
    times: dict = defaultdict(list)
    try:
        for call in warmup:
            for worker in workers.values():
                worker.time(call)
        for round_ in range(rounds):
            for n, call in enumerate(todo):
                names = ("old", "new") if (n + round_) % 2 else ("new", "old")
                for name in names:
                    times[name, call["kind"]].append(workers[name].time(call))
                    times[name, "all"].append(times[name, call["kind"]][-1])
    finally:
        for worker in workers.values():
            worker.close()
    return times


def report(times: dict) -> str:
    kinds = sorted({kind for _, kind in times}, key=lambda k: (k == "all", k))
    lines = [f"{'kind':14} {'n':>5}  {'old p50':>8} {'new p50':>8}  {'old p95':>8} {'new p95':>8}  (ms)"]
    for kind in kinds:
        old, new = times["old", kind], times["new", kind]
        lines.append(f"{kind:14} {len(old):5}  {percentile(old, 50):8.2f} {percentile(new, 50):8.2f}  "
                     f"{percentile(old, 95):8.2f} {percentile(new, 95):8.2f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.alternate", description=__doc__.splitlines()[0])
    parser.add_argument("--old", required=True)
    parser.add_argument("--new", required=True)
    parser.add_argument("--index", default=None)
    parser.add_argument("--work", default=str(OUT))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pieces", type=int, default=60, help="long quoted and pasted queries")
    parser.add_argument("--kinds", default=None, help="time only these kinds (comma-separated)")
    parser.add_argument("--facet-size", type=int, default=None, help="both trees' searches ask for this facet_size (a page asks for 10)")
    args = parser.parse_args(argv)
    work = Path(args.work)
    index = Path(args.index) if args.index else work / "100k" / "ours-index-build2"
    mix = load(work / "queries.json")
    import random

    from indexer.api import open_index

    opened = open_index(index)
    rng = random.Random(7)
    pieces = [_piece(opened, rng) for _ in range(args.pieces)]
    opened.close()
    warmup = [{"q": q["q"], "filters": q.get("filters") or {}, "page": 1, "sort": "relevance", "group": "passage"}
              for q in mix["warmup"]]
    todo = [c for c in calls(mix, pieces) if not args.kinds or c["kind"] in args.kinds.split(",")]
    times = measure(Path(args.old), Path(args.new), index, todo, warmup, args.rounds, args.facet_size)
    print(report(times))
    return 0


if __name__ == "__main__":
    sys.exit(main())
