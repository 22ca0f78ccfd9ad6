"""``python -m bench.research --index DIR [--runs 30]``: latency of the research
tools over an existing index, through the web app's test client (so the
numbers include building the page dict and its JSON), and the process's RSS
after every tool has been used.

Targets (issue 15, on the 100k index): concordance first page, trend of a
common term, similar passages and suggestions each p95 <= 300 ms; RSS with
every tool used <= 350 MB.  Prints one Markdown table.
"""
from __future__ import annotations

import argparse
import resource
import statistics
import time
from urllib.parse import quote

COMMON = ["法治", "执法", "依法行政", "行政复议", "双随机"]
PREFIXES = ["执法", "行政", "法治", "双", "依法"]
TYPOS = ["双随即", "依法行证", "告知成诺制", "法制政府建设"]


def _time(client, urls: list[str], runs: int, cpu: list[float] | None = None) -> list[float]:
    """Wall milliseconds of each call; ``cpu``: the process's CPU milliseconds of each
    appended (what a call costs whatever else the machine runs)."""
    took = []
    for n in range(runs):
        url = urls[n % len(urls)]
        started, cpu_started = time.perf_counter(), time.process_time()
        response = client.get(url)
        took.append((time.perf_counter() - started) * 1000)
        if cpu is not None:
            cpu.append((time.process_time() - cpu_started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return took


def _p95(ordered: list[float]) -> float:
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def _passage_urls(client, count: int) -> list[str]:
    hits = client.get(f"/search.json?q={quote('法治')}&per_page=50").get_json()["hits"]
    return [f"/p/{h['passage_id']}.json" for h in hits[:count]] or ["/search.json"]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.research", description=__doc__.splitlines()[0])
    parser.add_argument("--index", required=True)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args(argv)
    from search_web import create_app

    client = create_app({"INDEX_DIR": args.index}).test_client()
    cases = {
        "concordance, first page": [f"/kwic.json?q={quote(q)}" for q in COMMON],
        "trend of a common term": [f"/trend.json?q={quote(q)}" for q in COMMON],
        "similar passages (passage page)": _passage_urls(client, 20),
        "suggestions": [f"/suggest.json?q={quote(p)}" for p in PREFIXES],
        "did you mean (search with no hits)": [f"/search.json?q={quote(t)}" for t in TYPOS],
        "report cards (all reports)": ["/cards.json"],
        "side by side (问题)": ["/compare.json?category=%E9%97%AE%E9%A2%98"],
    }
    print("| tool | first call ms | p50 ms | p95 ms | CPU p50 ms | CPU p95 ms |\n|---|---:|---:|---:|---:|---:|")
    for name, urls in cases.items():
        first = _time(client, urls[:1], 1)[0]
        cpu: list[float] = []
        took = sorted(_time(client, urls, args.runs, cpu))
        print(f"| {name} | {first:.0f} | {statistics.median(took):.0f} | {_p95(took):.0f} "
              f"| {statistics.median(cpu):.0f} | {_p95(sorted(cpu)):.0f} |")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS with every tool used: {rss:.0f} MB ({args.runs} runs per tool, index {args.index})")


if __name__ == "__main__":
    main()
