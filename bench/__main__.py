"""``python -m bench [--sizes 10k,100k] [--queries 200] [--out BENCHMARKS.md]``

Generates (or reuses) the corpora, runs ours and the peers side by side on the
same passages and queries, prints the Markdown report and writes it to
``--out``: the file holds exactly what the run printed.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .corpus import DATA, default_sources, paragraph_pool, parse_size
from .document import render
from .measure import machine, source_version
from .peers import PEERS
from .queries import make_queries, save
from .runner import OUT, ROOT, run_size


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10k,100k", help="corpus sizes in passages (10k, 100k, 400k …)")
    parser.add_argument("--queries", type=int, default=200, help="number of measured queries")
    parser.add_argument("--out", default="BENCHMARKS.md", help="Markdown file to write ('-': print only)")
    parser.add_argument("--peers", default=",".join(PEERS), help="peers to run (scan is always run)")
    parser.add_argument("--heavy-max", default="100k",
                        help="largest size the slow runs happen at: the naive Whoosh peer and our "
                             "single-process build (above it: the 2-process build only)")
    parser.add_argument("--work", default=str(OUT), help="folder for indexes and raw results")
    parser.add_argument("--data", default=str(DATA), help="folder the generated corpora are cached in")
    parser.add_argument("--sources", default="",
                        help="folders of real reports to recombine (default: the samples and ../shared/realworld)")
    return parser.parse_args(argv)


def command_line(argv: list[str]) -> str:
    return " ".join(["python -m bench"] + argv)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    log = lambda *a: print(*a, file=sys.stderr, flush=True)
    work = Path(args.work)
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    sources = [Path(p) for p in args.sources.split(",") if p] or default_sources()
    mix = make_queries(args.queries, basis_passages=min(map(parse_size, sizes)),
                       pool=paragraph_pool(sources))
    queries_file = work / "queries.json"
    save(mix, queries_file)
    peers = ["scan"] + [p for p in args.peers.split(",") if p and p != "scan"]
    results = []
    for size in sizes:
        heavy = parse_size(size) <= parse_size(args.heavy_max)
        chosen = [p for p in peers if p != "whoosh" or heavy]
        results.append(run_size(size, queries_file, chosen, out=work, log=log, single_core=heavy,
                                corpus_options={"data": Path(args.data), "sources": sources}))
    text = render(results, mix, {**machine(), "commit": source_version(ROOT)}, command_line(argv))
    print(text)
    if args.out != "-":
        Path(args.out).write_text(text, encoding="utf-8")
        log(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
