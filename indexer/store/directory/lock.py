"""The index's write lock: one writer at a time per index directory, as
Lucene's ``write.lock`` (which lives with the directory, not the writer)."""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from ...errors import FazhiError

WRITE_LOCK = "write.lock"


class IndexLocked(FazhiError):
    """Another build is writing the index."""
    status = 409


@contextmanager
def writer_lock(root: Path):
    """One build at a time per index (as Lucene's ``write.lock``): two builds
    into one index both ran, the last swap won and the other's merge was lost.
    A second build fails at once, saying so; the lock is the kernel's
    (``filelock``), so a killed build leaves nothing to clear by hand."""
    root.mkdir(parents=True, exist_ok=True)
    lock = FileLock(root / WRITE_LOCK)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise IndexLocked(f"another build is writing the index in {root} now",
                          hint="wait for it to finish, then build again (its result is served meanwhile)") from None
    try:
        yield
    finally:
        lock.release()
