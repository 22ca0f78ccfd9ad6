"""Build an index: find the report files, read them (``indexer.report``), and
hand the reports to the store's writer (``indexer.store.writer.generation_writer``),
which writes what changed as a new segment and swaps in a new generation.

This is the one module that joins reading and writing (``tests/test_layout.py``):
the store never imports the readers, the readers never the store.
"""
from __future__ import annotations

import time
from pathlib import Path

from tqdm import tqdm

from . import DEFAULT_INDEX
from .read import Limits
from .report.corpus import SAMPLES, read_reports, scan_report_files, shown_path
from .store.directory.lock import writer_lock
from .store.writer.generation_writer import write_generation
from .store.writer.merge_policy import TieredMergePolicy


def build_index(paths=None, index_dir: Path = DEFAULT_INDEX, procs: int = 2,
                progress: bool = False, words: bool = True, limits: Limits | None = None,
                follow_links: bool = False, optimize: bool = False,
                policy: TieredMergePolicy | None = None, near: bool = True) -> dict:
    """Build (or bring up to date) the index in ``index_dir`` from ``paths``
    (files or folders; default: the bundled samples).  ``words``: also index
    jieba's words in the Whoosh documents (see ``indexer.store.writer.documents``).
    ``limits``: per file, of size, unpacked size and time (``indexer.read.Limits``);
    ``follow_links``: read symbolic links that lead out of the folders named.
    ``optimize``: merge all segments into one; else ``policy`` (default: tiered)
    picks the merges.  ``near``: find near-identical passages across reports
    (the research tools' "similar passages"; off for a huge archive of stock
    text, where their pairs grow with the square of the repeats).  Returns a
    summary dict."""
    started = time.perf_counter()
    root = Path(index_dir)
    files, passed_over = scan_report_files([Path(p) for p in (paths or [SAMPLES])], follow_links)
    source = ReportFiles(files, passed_over, procs, progress, limits)
    with writer_lock(root):
        return write_generation(root, source, started, procs=procs, progress=progress, words=words,
                                optimize=optimize, policy=policy, near=near)


class ReportFiles:
    """The report files of a build, read when the writer asks
    (``generation_writer.ReportSource``), with a progress bar if asked."""

    def __init__(self, files: list[Path], passed_over: list, procs: int, progress: bool, limits: Limits | None):
        self.files, self.passed_over = files, passed_over
        self.procs, self.progress, self.limits = procs, progress, limits

    def unread_bytes(self, known: dict[str, str]) -> int:
        """Bytes of the files whose shown path is not among ``known`` (path → source key)."""
        return sum(f.stat().st_size for f in self.files if shown_path(f) not in known and f.is_file())

    def read(self, cache, digests: dict | None):
        """Every file's reports (``report.corpus.read_reports``), reusing ``cache`` and ``digests``."""
        with tqdm(desc="reading", unit="file", total=len(self.files), disable=not self.progress, leave=False) as bar:
            return read_reports(self.files, progress=lambda _path: bar.update(), cache=cache,
                                procs=self.procs, limits=self.limits, digests=digests)
