"""Measuring tools: peak RSS of a process tree, percentiles, sizes, the machine."""
from __future__ import annotations

import os
import platform
import subprocess
import threading
import time
from pathlib import Path
from typing import Self

import psutil


def stop_process(process, grace: float = 10) -> None:
    """Terminate ``process`` (a ``subprocess.Popen``), killing it after ``grace`` seconds."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _tree(pid: int) -> list[psutil.Process]:
    try:
        proc = psutil.Process(pid)
        return [proc] + proc.children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its children (0 once it is gone).
    Pages a forked child shares with its parent count in both."""
    total = 0
    for p in _tree(pid):
        try:
            total += p.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total


def tree_pss(pid: int) -> int:
    """Proportional set size of a process tree: shared pages counted once
    (Linux; falls back to RSS where PSS cannot be read)."""
    total = 0
    for p in _tree(pid):
        try:
            total += getattr(p.memory_full_info(), "pss", None) or p.memory_info().rss
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass
    return total


class PeakRss:
    """Samples a process tree's RSS in a thread; ``peak`` is the highest sum seen.

    Use as a context manager.  For the current process the kernel's own high-water
    mark (VmHWM, reset on entry) is taken too, so a short spike between samples
    still counts.  (Not ru_maxrss: Linux carries it across exec from the parent.)
    ``peak_pss`` is the highest PSS sum, sampled less often (reading it costs more)."""

    def __init__(self, pid: int | None = None, interval: float = 0.02, pss_every: int = 10):
        self.pid = pid or os.getpid()
        self.interval = interval
        self.pss_every = pss_every
        self.peak = 0
        self.peak_pss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        count = 0
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_rss(self.pid))
            if count % self.pss_every == 0:
                self.peak_pss = max(self.peak_pss, tree_pss(self.pid))
            count += 1
            self._stop.wait(self.interval)

    def __enter__(self) -> Self:
        if self.pid == os.getpid():
            _reset_high_water_mark()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, tree_rss(self.pid))
        self.peak_pss = max(self.peak_pss, tree_pss(self.pid))
        if self.pid == os.getpid():
            self.peak = max(self.peak, _high_water_mark())


def _reset_high_water_mark() -> None:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def _high_water_mark() -> int:
    """This process's peak resident bytes since the last reset (Linux; else 0)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (p50, p95, p99 of a latency list)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-pct * len(ordered) // 100))))
    return ordered[rank - 1]


def latency_summary(ms: list[float]) -> dict:
    return {"p50": percentile(ms, 50), "p95": percentile(ms, 95), "p99": percentile(ms, 99),
            "mean": sum(ms) / len(ms) if ms else float("nan"), "n": len(ms)}


def dir_size(path: Path) -> int:
    """Bytes of a file, or of every file under a folder."""
    path = Path(path)
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def machine() -> dict:
    """CPU model, cores, RAM, OS and Python: what the figures were measured on."""
    model = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": model, "cores": os.cpu_count(), "ram_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "os": platform.platform(terse=True), "python": platform.python_version()}


def source_version(root: Path) -> str:
    """The commit measured (``git describe --always --dirty``), or "unknown"."""
    import subprocess

    try:
        done = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=root, capture_output=True,
                              text=True, timeout=10, check=False)
        return done.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


class Timer:
    def __enter__(self) -> Self:
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc) -> None:
        self.seconds = time.perf_counter() - self.start
