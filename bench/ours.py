"""Ours, measured the way users meet it: the server started as a process of its
own (``python -m search_web``), timed from start to first answer, then the query
mix through the HTTP JSON API (``/search.json``, facets and snippets included),
its RSS read from outside.  Exactness goes through the library
(``Index.all_ids``: every match, not one page)."""
from __future__ import annotations

import http.client
import json
import socket
import subprocess
import sys
import time
import urllib.parse
from contextlib import ExitStack
from pathlib import Path

from .measure import PeakRss, latency_summary, stop_process, tree_rss

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def search_path(query: dict, per_page: int = 10) -> str:
    params = [("q", query["q"]), ("per_page", str(per_page))]
    for field, values in (query.get("filters") or {}).items():
        params.extend((field, str(v)) for v in values)
    return "/search.json?" + urllib.parse.urlencode(params)


class Server:
    """``python -m search_web --index DIR --port N`` as a child process."""

    def __init__(self, index_dir: Path, port: int | None = None):
        self.index_dir = Path(index_dir)
        self.port = port or free_port()
        self.proc: subprocess.Popen | None = None
        self.conn: http.client.HTTPConnection | None = None

    def start(self, first_query: dict, timeout: float = 120) -> float:
        """Start the server; seconds until it answered ``first_query``."""
        started = time.perf_counter()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "search_web", "--index", str(self.index_dir), "--port", str(self.port)],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        while time.perf_counter() - started < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.proc.stderr.read().decode(errors='replace')[-2000:]}")
            try:
                self.get(first_query)
                return time.perf_counter() - started
            except (ConnectionError, OSError, http.client.HTTPException):
                self.conn = None
                time.sleep(0.02)
        raise RuntimeError(f"server did not answer within {timeout} s")

    def get_raw(self, query: dict, path: str | None = None) -> bytes:
        """The response body, read in full (what the latency clock stops at);
        ``path``: another request than ``search_path(query)``."""
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        self.conn.request("GET", path or search_path(query))
        response = self.conn.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"{query['q']!r}: HTTP {response.status} {body[:300]!r} {self.proc.stderr.read1(4000) if self.proc else ''}")
        return body

    def get(self, query: dict) -> dict:
        return json.loads(self.get_raw(query))

    def stop(self) -> None:
        if self.conn is not None:
            self.conn.close()
        if self.proc is not None:
            stop_process(self.proc)


def serve_and_query(index_dir: Path, mix: dict) -> dict:
    """Start the server, run the warm-up and the measured queries through HTTP."""
    return serve_and_query_side_by_side([index_dir], mix)[0]


def serve_and_query_side_by_side(index_dirs: list[Path], mix: dict) -> list[dict]:
    """``serve_and_query`` for several indexes at once, a server each, the
    queries interleaved: each query goes to every server in turn, the first
    one rotating, so whatever else slows the machine meanwhile falls on all of
    them alike (two runs one after the other differed by 15% on an idle
    machine, more than the difference measured)."""
    servers = [Server(index_dir) for index_dir in index_dirs]
    try:
        firsts = [server.start(mix["warmup"][0]) for server in servers]
        with ExitStack() as stack:
            peaks = [stack.enter_context(PeakRss(server.proc.pid)) for server in servers]
            for server in servers:
                for query in mix["warmup"][1:]:
                    server.get(query)
            runs = [{"latencies": [], "totals": {}, "checked": 0, "sizes": []} for _ in servers]
            for n, query in enumerate(mix["queries"]):
                for k in range(len(servers)):
                    at = (n + k) % len(servers)
                    started = time.perf_counter()
                    body = servers[at].get_raw(query)
                    runs[at]["latencies"].append((time.perf_counter() - started) * 1000)
                    answer = json.loads(body)          # parsing is the client's cost: not timed
                    runs[at]["sizes"].append(len(body))
                    runs[at]["totals"][query["id"]] = answer["total"]
                    runs[at]["checked"] += _has_facets_and_snippets(answer)
            rss = [tree_rss(server.proc.pid) for server in servers]
    finally:
        for server in servers:
            server.stop()
    return [{"start_seconds": first, "rss": size, "peak_rss": peak.peak, "latency": latency_summary(run["latencies"]),
             "latencies": run["latencies"], "totals": run["totals"], "answers_with_facets": run["checked"],
             "mean_response_bytes": sum(run["sizes"]) / len(run["sizes"]) if run["sizes"] else 0}
            for first, size, peak, run in zip(firsts, rss, peaks, runs)]


def _has_facets_and_snippets(answer: dict) -> int:
    facets = answer.get("facets") or {}
    hits = answer.get("hits") or []
    return int(all(name in facets for name in ("agency", "province", "year", "section"))
               and all("snippet" in hit for hit in hits))


def library_matches(index_dir: Path, corpus: Path, queries: list[dict]) -> dict[int, list[int]]:
    """Every passage the library returns for each query, as corpus row numbers."""
    from indexer.api import open_index

    rows: dict[str, int] = {}
    with open(corpus / "passages.jsonl", encoding="utf-8") as handle:
        for n, line in enumerate(handle):
            rows[json.loads(line)["pid"]] = n
    index = open_index(index_dir)
    try:
        return {q["id"]: [rows.get(pid, -1) for pid in index.all_ids(q["q"], filters=q.get("filters") or {})]
                for q in queries}
    finally:
        index.close()
