"""``python -m bench.fault``: load and faults against a real server, bounded.

Serves an index with ``python -m search_web`` on 127.0.0.1 and, while
``--clients`` threads query it for ``--seconds``: rebuilds the index (a real
build), kills a build with ``kill -9`` midway (its worker processes must die
with it, and the next build must clean up after it), swaps ``--swaps``
generations in (the server must let go of every replaced one), and kills
the server with ``kill -9`` and starts it again.  Every answer is compared
with the one given before the load: the corpus does not change, so neither may
the answers.  Prints errors, changed answers, latency, memory and open files.

Talks only to 127.0.0.1; bounded in time (about ``--seconds`` + 60 s) and count.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import psutil

from .load import Clients, ms_percentiles, swap_in_copy
from .measure import stop_process

ROOT = Path(__file__).resolve().parents[1]
SETTLE_S = 10           # for a replaced generation's last requests to end
QUERIES = ["执法", "双随机", "营商环境", '"双随机、一公开"', "行政复议", "普法 OR 法治宣传", "依法行政 -疫情",
           "执法 year:2022", "法治政府 section:问题", "告知承诺制", "证照分离", "行政执法三项制度", "合法性审查",
           "执法 OR 龘", "year:²", "谁执法谁普法", "规范性文件", "行政诉讼", "政务公开", "法律顾问"]


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m bench.fault", description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", action="append", default=[],
                        help="report folders (default: the samples and ../shared/realworld when present)")
    parser.add_argument("--clients", type=int, default=50, choices=range(1, 201), metavar="1..200")
    parser.add_argument("--seconds", type=float, default=30, help="length of the load (at most 300)")
    parser.add_argument("--swaps", type=int, default=200, choices=range(0, 1001), metavar="0..1000")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    corpus = args.corpus or [str(ROOT / "indexer" / "samples")] + \
        [str(p) for p in [ROOT.parent / "shared" / "realworld"] if p.is_dir()]
    work = Path(tempfile.mkdtemp(prefix="fazhi-fault-"))
    index = work / "index"
    report = {"command": "python -m bench.fault " + " ".join(argv or sys.argv[1:]), "corpus": corpus}
    server = None
    try:
        report["first_build_s"] = _build(corpus, index)
        server = Server(index)
        baseline = {q: server.answer(q) for q in QUERIES}
        load = Load(server, baseline, args.clients)
        load.start()
        time.sleep(min(args.seconds, 300) * 0.15)
        report["rebuild_under_load_s"] = _build(corpus, index)
        report["killed_build"] = _kill_build(corpus, index)
        report["swaps"] = _swaps(index, server, args.swaps)
        report["server_kill"] = server.kill_and_restart()
        remaining = load.started + min(args.seconds, 300) - time.monotonic()
        time.sleep(max(0.0, remaining))
        load.stop()
        report["load"] = load.summary()
        report["after"] = {"changed": sum(server.answer(q) != a for q, a in baseline.items())}
        report["leftovers"] = _leftovers(index)
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(report, ensure_ascii=False, indent=2))
    return 0 if _passed(report) else 1


def _build(corpus: list[str], index: Path, *, words: bool = False) -> float:
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "indexer", "build", *corpus, "--index", str(index), "--quiet",
                    *(() if words else ("--no-words",))], check=True, cwd=ROOT, timeout=600,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return round(time.monotonic() - started, 2)


def _kill_build(corpus: list[str], index: Path) -> dict:
    """A build (with Whoosh's writer processes) killed with -9 once its workers run."""
    build = subprocess.Popen([sys.executable, "-m", "indexer", "build", *corpus, "--index", str(index), "--quiet",
                              "--procs", "2"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    parent = psutil.Process(build.pid)
    deadline = time.monotonic() + 30
    children: list[psutil.Process] = []
    while time.monotonic() < deadline and build.poll() is None:
        children = parent.children(recursive=True)
        if len(children) >= 2:
            break
        time.sleep(0.05)
    time.sleep(0.5)
    children = parent.children(recursive=True) if build.poll() is None else children
    build.send_signal(signal.SIGKILL)
    build.wait()
    deadline = time.monotonic() + 3
    while True:
        alive = [c.pid for c in children if _running(c)]
        if not alive or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    return {"workers_seen": len(children), "workers_alive_3s_after": len(alive)}


def _running(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _swaps(index: Path, server: "Server", count: int) -> dict:
    """``count`` generations swapped in (hard-linked copies, as a build would
    write them), with the server's open files and memory sampled; then, while
    the load goes on, how long until it holds no file of a generation it no
    longer serves (a leak never gets there)."""
    samples = []
    for n in range(count):
        swap_in_copy(index)
        server.answer("执法")                    # the server notices the swap on its next request
        if n % max(1, count // 10) == 0 or n == count - 1:
            samples.append(server.resources())
    started, stale = time.monotonic(), server.stale_files()
    while stale and time.monotonic() - started < SETTLE_S:
        time.sleep(0.2)
        server.answer("执法")
        stale = server.stale_files()
    return {"count": count, "open_files": [s["open_files"] for s in samples],
            "fds_with_sockets": [s["fds"] for s in samples], "rss_mb": [s["rss_mb"] for s in samples],
            "stale_files_after": stale, "settled_s": round(time.monotonic() - started, 2)}


def _leftovers(index: Path) -> dict:
    """After one more build: stray links, unfinished generations."""
    _build([str(ROOT / "indexer" / "samples")], index)
    return {"temporary_links": len(list(index.glob(".CURRENT.*"))),
            "unfinished_generations": sum(1 for g in index.glob("gen-*") if not (g / "meta.json").exists())}


def _passed(report: dict) -> bool:
    load = report["load"]
    return (load["errors"] == 0 and load["changed"] == 0 and report["after"]["changed"] == 0
            and report["killed_build"]["workers_alive_3s_after"] == 0
            and report["swaps"]["stale_files_after"] == 0
            and not any(report["leftovers"].values()))


def stale_files(paths: list[str], index: Path, current: str) -> int:
    """How many of ``paths`` (a process's open files) lie in a generation of
    ``index`` other than ``current``.  A replaced generation is closed when its
    last request ends, its Whoosh readers with it; its files still open long
    after are a leak.  (Counting all open files instead measured the load: it
    moves with how many threads hold a reader at the moment, 13 to 32 here.)"""
    root = str(index.resolve()) + os.sep
    generations = (p[len(root):].split(os.sep, 1)[0] for p in paths if p.startswith(root))
    return sum(1 for g in generations if g.startswith("gen-") and g != current)


class Server:
    def __init__(self, index: Path):
        self.index = index
        self.restarting = threading.Event()
        self._start(0)

    def _start(self, port: int) -> None:
        """Port 0 picks a free one; a restart takes the same again (clients keep their address)."""
        self.process = subprocess.Popen([sys.executable, "-m", "search_web", "--index", str(self.index),
                                         "--port", str(port),
                                         "--threads", "8"], cwd=ROOT, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL, text=True)
        line = self.process.stdout.readline()
        self.base = re.search(r"http://127\.0\.0\.1:\d+/", line).group(0)

    def get(self, path: str) -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(self.base + path.lstrip("/"), timeout=30) as answer:
                return answer.status, answer.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def answer(self, q: str):
        """What must not change: status, total and the ids of the first page."""
        status, body = self.get("/search.json?" + urllib.parse.urlencode({"q": q}))
        data = json.loads(body)
        return status, data.get("total"), [h["passage_id"] for h in data.get("hits", [])], data.get("error")

    def resources(self) -> dict:
        process = psutil.Process(self.process.pid)
        # Files, not sockets: the clients' connections come and go with the load.
        return {"open_files": len(process.open_files()), "fds": process.num_fds(),
                "rss_mb": round(process.memory_info().rss / 2**20, 1)}

    def stale_files(self) -> int:
        """Files the server holds open in generations it no longer serves."""
        paths = [f.path for f in psutil.Process(self.process.pid).open_files()]
        return stale_files(paths, self.index, (self.index / "CURRENT").resolve().name)

    def kill_and_restart(self) -> dict:
        self.restarting.set()
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        started = time.monotonic()
        self._start(int(self.base.rstrip("/").rsplit(":", 1)[1]))
        self.restarting.clear()
        return {"restart_s": round(time.monotonic() - started, 2)}

    def stop(self) -> None:
        stop_process(self.process)


class Load:
    """``clients`` threads asking the baseline queries and checking the answers."""

    def __init__(self, server: Server, baseline: dict, clients: int):
        self.server, self.baseline, self.clients = server, baseline, clients
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.changed = 0
        self.during_restart = 0
        self.lock = threading.Lock()
        self.threads = Clients(clients, self._ask)

    def start(self) -> None:
        self.started = time.monotonic()
        self.threads.start()

    def _ask(self, chooser: random.Random) -> None:
        q = chooser.choice(QUERIES)
        began = time.perf_counter()
        try:
            answer = self.server.answer(q)
        except (OSError, ValueError, http.client.HTTPException) as exc:   # refused, reset, cut short
            down = self.server.restarting.is_set()     # now, not after waiting for the lock
            with self.lock:
                if down:
                    self.during_restart += 1     # the server is down on purpose
                else:
                    self.errors.append(f"{q}: {exc}")
            time.sleep(0.05)
            return
        with self.lock:
            self.latencies.append(time.perf_counter() - began)
            if answer[0] >= 500:
                self.errors.append(f"{q}: HTTP {answer[0]}")
            elif answer != self.baseline[q]:
                self.changed += 1

    def stop(self) -> None:
        self.threads.stop()

    def summary(self) -> dict:
        ms = [x * 1000 for x in self.latencies]
        percentiles = ms_percentiles(ms)
        return {"clients": self.clients, "seconds": round(time.monotonic() - self.started, 1),
                "requests": len(ms), "errors": len(self.errors), "error_examples": self.errors[:5],
                "changed": self.changed, "refused_while_server_down": self.during_restart,
                "p50_ms": percentiles["p50_ms"], "p95_ms": percentiles["p95_ms"], "p99_ms": percentiles["p99_ms"],
                "mean_ms": round(statistics.fmean(ms), 1) if ms else None}


if __name__ == "__main__":
    sys.exit(main())
