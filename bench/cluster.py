"""The embedded index and the 2-shard cluster backend, same corpus, same run.

    python -m bench.cluster --size 100k [--shards 2] [--queries 100] [--keep] [--reuse]

Generates the corpus (``bench.corpus``), builds the embedded index
(``--no-words --no-near-duplicates``), starts a cluster with ``scripts/cluster.sh`` under
``bench/out/cluster-<size>/``, loads it from that index (``sync``), then runs
the same query mix (``bench.queries``, half with an agency filter) on both
with the search page's facets (``facet_size=30``): p50/p95, build rate, disk,
RSS of each process, and how many answers were equal.  The cluster is stopped
at the end unless ``--keep``.  ``--reuse`` keeps the index and cluster a ``--keep``
run left (a sync with nothing to write) and reports their build and load figures
from that run's JSON, marked as carried over; an index left without a loaded
cluster (a ``--keep`` run stopped after the build, or a cluster of another
schema) is kept and the cluster loaded from it, the load timed in this run and
the build's time read from ``build.json`` beside the index.
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import time
from pathlib import Path

import psutil

from .corpus import ensure_corpus, parse_size
from .measure import dir_size, latency_summary
from .queries import make_queries

ROOT = Path(__file__).resolve().parents[1]
OUT = Path(__file__).resolve().parent / "out"


def _size(name: str) -> str:
    """``1m`` → ``1000k`` (the corpus generator counts in k)."""
    return f"{int(float(name[:-1]) * 1000)}k" if name.lower().endswith("m") else name


def _cluster(action: str, data: Path, *extra: str) -> str:
    done = subprocess.run(["bash", str(ROOT / "scripts" / "cluster.sh"), action, "--data", str(data),
                           "--port", "3500", *extra], capture_output=True, text=True, check=True)
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


def _timed(index, query: dict) -> tuple[float, dict]:
    clock = time.perf_counter()
    answer = index.search(query["q"], filters=query.get("filters") or None, facet_size=30)
    return (time.perf_counter() - clock) * 1000, answer


def run(size: str, shards: int, count: int, keep: bool, reuse: bool = False) -> dict:
    from indexer.api import open_index, sync_backend
    from search_web.index import freeze_loaded

    corpus = ensure_corpus(size)
    folder = OUT / f"cluster-{size}"
    index_dir, data = folder / "index", folder / "cluster"
    reuse_index = reuse and (index_dir / "CURRENT").exists()
    earlier = _earlier(size) if reuse_index and (data / "head").is_dir() else None
    embedded_build = (earlier["embedded"]["build_s"] if earlier else _built(folder) if reuse_index
                      else _build(corpus, folder, index_dir))
    url = _cluster("start", data, "--shards", str(shards))
    try:
        clock = time.perf_counter()
        written = sync_backend(url, index_dir)["shards"]
        load = time.perf_counter() - clock
        if earlier and not written:          # nothing to load: the figure of the run that loaded it
            load = earlier["cluster"]["load_s"]
        elif earlier:
            earlier = None
        embedded, remote = open_index(index_dir), open_index(url)
        mix = make_queries(count)
        for query in mix["warmup"]:
            _timed(embedded, query), _timed(remote, query)
        freeze_loaded()     # as the server does once it has loaded an index (``search_web.index``)
        times = {"embedded": [], "cluster": []}
        equal = {"answers": 0, "counts_and_facets": 0, "hits": 0, "ranked_among_candidates": 0}
        for query in mix["queries"]:
            ms_e, a = _timed(embedded, query)
            ms_c, b = _timed(remote, query)
            times["embedded"].append(ms_e)
            times["cluster"].append(ms_c)
            _tally(equal, a, b)
        servers = {p.name: _rss(p) for p in sorted(data.iterdir()) if (p / "mariadbd.pid").exists()}
        result = {
            "size": size, "passages": corpus.passages, "reports": corpus.reports, "shards": shards,
            "queries": len(mix["queries"]), "equal": equal,
            "embedded": {**latency_summary(times["embedded"]), "build_s": round(embedded_build, 1),
                         "passages_per_s": round(corpus.passages / embedded_build),
                         "disk_mb": round(dir_size(index_dir) / 2**20, 1)},
            "cluster": {**latency_summary(times["cluster"]), "load_s": round(load, 1),
                        "passages_per_s": round(corpus.passages / load),
                        "disk_mb": {name: round(dir_size(data / name / "db") / 2**20, 1) for name in servers},
                        "rss_mb": servers},
            "client_rss_mb (this process: the embedded index and the cluster client)":
                round(psutil.Process().memory_info().rss / 2**20),
            "build_and_load": ("carried over from the run that built them (--reuse)" if earlier
                               else "build carried over (--reuse), load this run" if reuse_index else "this run"),
        }
        embedded.close()
        remote.close()
    finally:
        if not keep:
            _cluster("stop", data)
    return result


def _build(corpus, folder: Path, index_dir: Path) -> float:
    """A fresh embedded index of the corpus; its build time in seconds."""
    from indexer.api import build_index

    shutil.rmtree(folder, ignore_errors=True)
    clock = time.perf_counter()
    # --no-words --no-near-duplicates, as the province run in BENCHMARKS.md: this corpus
    # repeats each of its few thousand real paragraphs hundreds of times.
    build_index([corpus.folder / "reports"], index_dir, procs=2, words=False, near=False)
    seconds = time.perf_counter() - clock
    (folder / "build.json").write_text(json.dumps({"build_s": round(seconds, 1)}), encoding="utf-8")
    return seconds


def _built(folder: Path) -> float:
    """The build time of the index a run left (``build.json``)."""
    return json.loads((folder / "build.json").read_text(encoding="utf-8"))["build_s"]


def _earlier(size: str) -> dict | None:
    """The JSON of the last run of ``size`` (its build and load figures), if any."""
    try:
        return json.loads((OUT / f"cluster-{size}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _tally(equal: dict, a: dict, b: dict) -> None:
    """Count what the cluster answered as the embedded index did (all but took_ms; the
    totals and facets; the page's hits), and the pages it ranked among its candidates."""
    same = {k for k in a if k != "took_ms" and a[k] == b.get(k)}
    equal["answers"] += same >= set(a) - {"took_ms"}
    equal["counts_and_facets"] += {"total", "near_total", "reports_total", "facets", "facet_values"} <= same
    equal["hits"] += "hits" in same
    equal["ranked_among_candidates"] += len(b["notes"]) > len(a["notes"])


def _rss(node: Path) -> float:
    try:
        return round(psutil.Process(int((node / "mariadbd.pid").read_text())).memory_info().rss / 2**20, 1)
    except (OSError, ValueError, psutil.Error):
        return -1.0


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="1m", help="passages: 10k, 100k, 1m … (default 1m)")
    parser.add_argument("--shards", type=int, default=2)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--keep", action="store_true", help="leave the cluster running")
    parser.add_argument("--reuse", action="store_true",
                        help="use the index and cluster a --keep run left (no rebuild, no reload)")
    args = parser.parse_args(argv)
    size = _size(args.size)
    parse_size(size)
    result = run(size, args.shards, args.queries, args.keep, args.reuse)
    OUT.mkdir(exist_ok=True)
    (OUT / f"cluster-{size}.json").write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
