"""Per-file limits, so that one file can neither exhaust the build nor hold it.

Each limit hit is a :class:`ReadError` (or a :class:`FileTimeout`), which the
corpus turns into that file's skip reason.  The defaults are far above any real
report (the largest of the 100 real-world texts is under 2 MB; the text of a
300-page Word report unpacks to about 5 MB) and far below what stalls a build.
"""
from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from dataclasses import dataclass

MB = 1 << 20


@dataclass(frozen=True)
class Limits:
    bytes: int = 100 * MB          # a file larger than this is skipped unread
    unpacked: int = 50 * MB        # a .docx whose parts (pictures aside, never read) or a PDF whose
                                   # streams unpack to more is skipped
    seconds: float = 120.0         # reading, cleaning and splitting one file; 0: no limit
    # Lines of text read from one file (the longest of ../shared has 861): cleaning
    # costs about 40 µs a line, and a file of a million tiny lines held a build for minutes.
    lines: int = 100_000


class FileTimeout(BaseException):
    """Reading one file took longer than its limit.  A BaseException, so that
    no library's ``except Exception`` on the way swallows it."""


@contextmanager
def time_limit(seconds: float):
    """Raise :class:`FileTimeout` in this thread after ``seconds`` of wall time.

    Uses ``SIGALRM``, which only the main thread of a process receives: reading
    runs in the main thread of the build (or of its reading processes).  From any
    other thread (a test, an embedding program) the limit is not enforced."""
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(_signum, _frame):
        raise FileTimeout(f"took longer than {seconds:g} s to read (limit: --max-seconds)")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
