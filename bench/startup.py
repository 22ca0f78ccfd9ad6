"""``python -m bench.startup --index DIR [--baseline TREE] [--runs 20]``: how fast
things start (issue 27), measured as a user meets them.

- ``import indexer.cli``: wall time of ``python -c "import indexer.cli"`` and the
  cumulative time ``python -X importtime`` gives the module;
- one CLI search per process (``python -m indexer search Q --index DIR``), wall
  time p50/p95 over ``--runs`` runs, for a quoted phrase (no jieba cut) and a
  word query;
- a server (``python -m search_web --index DIR --port 0``): seconds from the
  start to its first answer (``/healthz``), to its first search's answer (a
  quoted phrase, ``/search.json``), to ``/healthz`` saying ready, and the first passage
  page's time after that (without ``/healthz``: right after the first answer);
  its resident memory (``VmRSS``) when ready and after that page.

``--runs 0``: the server only (a province's archive, where the command line is
not the question).

``--baseline TREE``: another checkout of the project (e.g. ``git worktree`` or
``git archive`` of the commit before), run with the same interpreter from its own
folder; every measurement alternates between the two trees (server starts in
ABBA order), so a machine whose load changes during the run affects both alike.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from .measure import percentile

ROOT = Path(__file__).resolve().parents[1]
QUERIES = {"phrase": '"双随机"', "words": "行政执法监督"}


def _wall(command: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stderr[-2000:]}")
    return time.perf_counter() - started


def _import_ms(cwd: Path) -> float:
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", "import indexer.cli"], cwd=cwd,
                          capture_output=True, text=True)
    line = [ln for ln in done.stderr.splitlines() if ln.rstrip().endswith("| indexer.cli")][-1]
    return int(line.split("|")[1]) / 1000


def _summary(values: list[float]) -> dict:
    return {"p50": round(percentile(values, 50), 3), "p95": round(percentile(values, 95), 3), "runs": len(values)}


def command_line(trees: dict[str, Path], index: Path, runs: int) -> dict:
    """Import and one-search-per-process times, the trees interleaved run by run."""
    samples = {name: {"import_wall": [], "import_ms": [], **{q: [] for q in QUERIES}} for name in trees}
    for _ in range(runs):
        for name, tree in trees.items():
            got = samples[name]
            got["import_wall"].append(_wall([sys.executable, "-c", "import indexer.cli"], tree))
            got["import_ms"].append(_import_ms(tree))
            for kind, q in QUERIES.items():
                got[kind].append(_wall([sys.executable, "-m", "indexer", "search", q, "--index", str(index)], tree))
    return {name: {k: _summary(v) for k, v in got.items()} for name, got in samples.items()}


def _get(url: str, timeout: float = 60) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def server(tree: Path, index: Path, passage: str) -> dict:
    """Seconds to the first answer, to ready, and the first passage page's time."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "search_web", "--index", str(index), "--port", "0",
                                "--threads", "4"], cwd=tree, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               text=True)
    try:
        line = process.stdout.readline()
        base = re.search(r"(http://\S+/)", line).group(1)
        status, body = _get(base + "healthz")
        first = time.perf_counter() - started
        search_status, _ = _get(base + "search.json?q=" + urllib.parse.quote(QUERIES["phrase"]))
        searched = time.perf_counter() - started
        ready = None
        if status in (200, 503):
            while status == 503:
                time.sleep(0.05)
                status, body = _get(base + "healthz")
            ready = time.perf_counter() - started if status == 200 else None
        rss_ready = _rss_mb(process.pid)
        clock = time.perf_counter()
        page_status, _ = _get(base + f"p/{passage}")
        page = time.perf_counter() - clock
        return {"first_answer_s": round(first, 2), "first_search_s": round(searched, 2),
                "search_status": search_status, "ready_s": None if ready is None else round(ready, 2),
                "first_passage_page_s": round(page, 3), "page_status": page_status,
                "rss_ready_mb": rss_ready, "rss_after_page_mb": _rss_mb(process.pid),
                "healthz": json.loads(body) if ready else None}
    finally:
        process.terminate()
        process.wait(timeout=30)


def _rss_mb(pid: int) -> int | None:
    """The process's resident memory now, in MB (Linux ``/proc``; None elsewhere)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) // 1024


def _first_passage(index: Path) -> str:
    meta = json.loads((index / "CURRENT" / "meta.json").read_text(encoding="utf-8"))
    return f"{meta['reports'][0]['id']}-0001"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.startup", description=__doc__.splitlines()[0])
    parser.add_argument("--index", required=True, type=Path)
    parser.add_argument("--baseline", type=Path, help="another checkout to compare with, run alternately")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--servers", type=int, default=3, help="server starts per tree")
    args = parser.parse_args(argv)
    trees = {"this": ROOT, **({"baseline": args.baseline} if args.baseline else {})}
    load = os.getloadavg()
    result = {"index": str(args.index), "load_before": [round(x, 2) for x in load]}
    if args.runs:
        result["cli"] = command_line(trees, args.index.resolve(), args.runs)
    passage = _first_passage(args.index)
    starts = {name: [] for name in trees}
    order = list(trees.items())
    for round_ in range(args.servers):
        # ABBA: the run's first start (maybe on a page cache another process
        # emptied) falls on each tree in turn, not always on this one.
        for name, tree in order if round_ % 2 == 0 else order[::-1]:
            starts[name].append(server(tree, args.index.resolve(), passage))
    result["server"] = starts
    result["load_after"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(result, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
