"""``python -m bench.swaps``: searches while generations swap, then the same
with slow export readers and idle connections open (issue 24).

Serves a generated corpus (``--size``, as ``python -m bench``) with ``python -m
search_web`` on 127.0.0.1.  Phase 1: ``--clients`` threads search while a new
generation is swapped in every ``--swap-every`` seconds (a hard-linked copy of
the serving one, as a build writes it: the server loads and checks it in full).
Phase 2: the same, with ``--slow-exports`` clients each reading an export of
``的`` at 4 kB a second (and asking again after a 503) and ``--idle``
connections open that send nothing or half a request (one the server closes,
after its ``channel_timeout``, is opened again: every window meets them all); ``--settle S`` first
waits (at most S seconds) until every reader has its answer, so that the
searches meet readers reading rather than exports being written.  For each phase: the
searches' p50/p95/p99 in the ``--window`` seconds after each swap and away
from swaps, errors (5xx, refused, timed out), and what the exports got.

``--code DIR`` serves another checkout (e.g. ``git archive`` of an older
commit) with this one's Python, for a before/after comparison.
Talks only to 127.0.0.1; bounded in time (about 2 × ``--seconds`` + build) and count.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from .load import Clients, ms_percentiles, swap_in_copy
from .measure import stop_process

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ["执法", "双随机", "营商环境", '"双随机、一公开"', "行政复议", "普法 OR 法治宣传", "依法行政 -疫情",
           "执法 year:2022", "法治政府 section:问题", "告知承诺制", "证照分离", "行政执法三项制度", "合法性审查",
           "谁执法谁普法", "规范性文件", "行政诉讼", "政务公开", "法律顾问"]


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m bench.swaps", description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="10k", help="corpus size (bench.corpus: 10k, 100k, …)")
    parser.add_argument("--clients", type=int, default=8, choices=range(1, 65), metavar="1..64")
    parser.add_argument("--seconds", type=float, default=40, help="length of each phase (at most 300)")
    parser.add_argument("--swap-every", type=float, default=4.0, help="seconds between swaps")
    parser.add_argument("--window", type=float, default=2.0, help="seconds after a swap counted as during it")
    parser.add_argument("--slow-exports", type=int, default=4, choices=range(0, 17), metavar="0..16")
    parser.add_argument("--idle", type=int, default=150, choices=range(0, 401), metavar="0..400")
    parser.add_argument("--settle", type=float, default=0, metavar="SECONDS",
                        help="phase 2: first wait (at most this long) until every export reader has its answer, "
                             "so searches meet slow readers, not exports being written (0: start at once)")
    parser.add_argument("--code", type=Path, default=ROOT, help="the checkout to serve (default: this one)")
    parser.add_argument("--index", type=Path, default=None, help="serve a copy of this built index (skip the build)")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="fazhi-swaps-"))
    index = work / "index"
    report = {"command": "python -m bench.swaps " + " ".join(argv if argv is not None else sys.argv[1:])}
    server = None
    try:
        report["build_s"] = _index(args, index)
        server = Server(index, args.code)
        for q in QUERIES:
            server.get("/search.json?" + urllib.parse.urlencode({"q": q}))        # warm
        report["load_before"] = _load()
        report["swaps_only"] = _phase(server, index, args, slow=False)
        report["swaps_slow_idle"] = _phase(server, index, args, slow=True)
        report["load_after"] = _load()
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(report, ensure_ascii=False, indent=2))
    return 0


def _load() -> list[float]:
    """The machine's load average (1, 5, 15 min): the figures of a shared machine need it."""
    return [round(n, 2) for n in os.getloadavg()]


def _index(args, index: Path) -> float:
    started = time.monotonic()
    if args.index is not None:
        shutil.copytree(args.index, index, symlinks=True)
    else:
        from .corpus import ensure_corpus

        corpus = ensure_corpus(args.size)
        subprocess.run([sys.executable, "-m", "indexer", "build", str(corpus.report_dir), "--index", str(index),
                        # no near-duplicate pass: on the generated corpus's stock text it takes gigabytes
                        "--quiet", "--no-words", "--no-near-duplicates"], check=True, cwd=ROOT, timeout=3600,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return round(time.monotonic() - started, 1)


def _phase(server: "Server", index: Path, args, slow: bool) -> dict:
    seconds = min(args.seconds, 300)
    searches = Searches(server, args.clients)
    exports = [SlowExport(server) for _ in range(args.slow_exports if slow else 0)]
    idle = IdleConnections(server, args.idle if slow else 0)
    for export in exports:
        export.start()
    ready = _exports_ready(exports, args.settle) if exports and args.settle else None
    searches.start()
    swaps = []
    try:
        end = time.monotonic() + seconds
        time.sleep(min(args.swap_every, seconds) / 2)
        while time.monotonic() < end - 1:
            swaps.append(time.monotonic())
            swap_in_copy(index)
            time.sleep(max(0.0, min(args.swap_every, end - time.monotonic())))
    finally:
        searches.stop()
        for export in exports:
            export.stop()
        idle.stop()
    result = searches.summary(swaps, args.window)
    result["swaps"] = len(swaps)
    if slow:
        result["idle_connections"] = {"open": args.idle, "reopened": idle.reopened}
        result["exports"] = {"readers": len(exports), "statuses": _count(s for e in exports for s in e.statuses),
                             "kb_read": round(sum(e.read for e in exports) / 1024), "ready_s": ready}
    return result


def _exports_ready(exports: list["SlowExport"], settle: float) -> float | None:
    """Seconds until every export reader has its answer (its file written, now read
    slowly), at most ``settle``: the searches then meet readers reading, not exports
    being written; None when some reader had none by then."""
    started = time.monotonic()
    for export in exports:
        if not export.answered.wait(max(0.0, started + settle - time.monotonic())):
            return None
    return round(time.monotonic() - started, 1)


class IdleConnections:
    """``count`` connections that send nothing, or the start of a request and no
    more (slow loris), kept open the whole phase: one the server closes (its
    ``channel_timeout``) is opened again at once, so that every window of the
    phase, early or late, meets ``count`` of them."""

    def __init__(self, server: "Server", count: int):
        self.server, self.reopened = server, 0
        self.sockets = [self._open(n) for n in range(count)]
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._keep_open, daemon=True)
        self.thread.start()

    def _open(self, n: int) -> socket.socket:
        sock = socket.create_connection((self.server.host, self.server.port), timeout=5)
        if n % 2:
            sock.sendall(b"GET /search.json?q=")
        return sock

    def _keep_open(self) -> None:
        while self.sockets and not self.stopping.wait(0.5):
            readable, _, _ = select.select(self.sockets, [], [], 0)
            for sock in readable:           # the server closed it (or answered the half request)
                n = self.sockets.index(sock)
                sock.close()
                try:
                    self.sockets[n] = self._open(n)
                except OSError:     # refused: the phase's errors say so; stop reopening
                    return
                self.reopened += 1

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(10)
        for sock in self.sockets:
            sock.close()


def _count(values) -> dict:
    counts: dict = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return counts


class Server:
    def __init__(self, index: Path, code: Path):
        env = {**os.environ, "PYTHONPATH": str(code)}
        self.process = subprocess.Popen([sys.executable, "-m", "search_web", "--index", str(index), "--port", "0",
                                         "--threads", "8"], cwd=code, env=env, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL, text=True)
        line = self.process.stdout.readline()
        found = re.search(r"http://(127\.0\.0\.1):(\d+)/", line)
        if found is None:
            self.stop()
            raise SystemExit(f"the server did not start: {line!r}")
        self.host, self.port = found.group(1), int(found.group(2))
        self.base = f"http://{self.host}:{self.port}/"

    def get(self, path: str, timeout: float = 30) -> int:
        try:
            with urllib.request.urlopen(self.base + path.lstrip("/"), timeout=timeout) as answer:
                answer.read()
                return answer.status
        except urllib.error.HTTPError as exc:
            return exc.code

    def stop(self) -> None:
        stop_process(self.process)


class Searches:
    """``clients`` threads searching; each request's start, latency and outcome kept."""

    def __init__(self, server: Server, clients: int):
        self.server, self.clients = server, clients
        self.done: list[tuple[float, float, str]] = []     # (started, seconds, "ok" | error)
        self.lock = threading.Lock()
        self.threads = Clients(clients, self._search)

    def start(self) -> None:
        self.threads.start()

    def _search(self, chooser: random.Random) -> None:
        path = "/search.json?" + urllib.parse.urlencode({"q": chooser.choice(QUERIES)})
        began = time.monotonic()
        try:
            status = self.server.get(path, timeout=30)
            outcome = "ok" if status < 500 else f"HTTP {status}"
        except OSError as exc:          # refused, reset, timed out
            outcome = type(exc).__name__
        with self.lock:
            self.done.append((began, time.monotonic() - began, outcome))

    def stop(self) -> None:
        self.threads.stop()

    def summary(self, swaps: list[float], window: float) -> dict:
        during, away, errors = [], [], []
        for began, took, outcome in self.done:
            if outcome != "ok":
                errors.append(outcome)
                continue
            near = any(s <= began + took and began <= s + window for s in swaps)
            (during if near else away).append(took * 1000)
        result = {"clients": self.clients, "requests": len(self.done), "errors": len(errors),
                  "error_kinds": _count(errors), "during_swaps": _percentiles(during), "away": _percentiles(away)}
        if during and away:
            result["p99_during_over_away"] = round(result["during_swaps"]["p99_ms"] / result["away"]["p99_ms"], 2)
        return result


def _percentiles(ms: list[float]) -> dict:
    return {"requests": len(ms), **ms_percentiles(ms)}


class SlowExport:
    """Asks for the export of every hit of ``的`` and reads it at 4 kB a second;
    after a 503 it waits the Retry-After it was given (at most 5 s) and asks again."""

    def __init__(self, server: Server):
        self.server = server
        self.stopping = threading.Event()
        self.statuses: list[int] = []
        self.read = 0
        self.answered = threading.Event()      # a 200: its export is written, read from now on

    def start(self) -> None:
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stopping.is_set():
            try:
                with socket.create_connection((self.server.host, self.server.port), timeout=60) as sock:
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8192)
                    sock.sendall(b"GET /search.csv?q=%E7%9A%84 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                    self._read_slowly(sock)
            except OSError:
                self.statuses.append(0)
                self.stopping.wait(1)

    def _read_slowly(self, sock: socket.socket) -> None:
        head = sock.recv(4096)
        status = int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/") else 0
        self.statuses.append(status)
        if status == 200:
            self.answered.set()
        if status == 503:
            retry = re.search(rb"Retry-After: (\d+)", head)
            self.stopping.wait(min(5, int(retry.group(1)) if retry else 5))
            return
        while not self.stopping.is_set():
            chunk = sock.recv(4096)
            if not chunk:
                return
            self.read += len(chunk)
            self.stopping.wait(1)

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(30)


if __name__ == "__main__":
    sys.exit(main())
