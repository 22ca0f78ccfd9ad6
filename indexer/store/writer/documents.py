"""Write the Whoosh documents of a generation: one per passage, with its id and
its facets (section: the heading path, agency, province, city, year, category, report).

Two ways, by whether jieba's words go into the ``content`` field:

* with words (the default), Whoosh's own multi-process writer analyzes every
  passage with jieba.  This is most of a build's time (Whoosh spends its time
  on each posting, in Python), and the app does not read these words:
  it answers from its own phrase postings.  They are for tools that open
  ``whoosh/`` directly.
* without words (``build --no-words``), the documents hold only the fields
  above, written by one process of their own.

Either way the writing runs beside the main process, which builds the phrase
postings meanwhile, and its processes are started while the main process is
small: a process forked later would be charged (in RSS) for every page of the
reports the main process holds.

An update opens the previous generation's Whoosh index (its files hard-linked
into the new generation: Whoosh never rewrites a file, deletions go to its new
table of contents), deletes the documents of removed and changed reports by
``report_id`` and adds the new ones: Whoosh's own incremental writer, with its
own merge of small segments at commit (``optimize`` merges all).
"""
from __future__ import annotations

import multiprocessing
import os
import pickle
import threading
from pathlib import Path

from tqdm import tqdm
from whoosh import index as whoosh_index
from whoosh.writing import MERGE_SMALL, OPTIMIZE

from ...children import die_with_parent, die_with_parent_on_fork
from ...errors import FazhiError
from .schema import passage_schema
from .word_deletions import exact_lengths
from .whoosh_hooks import read_lengths_once, spill_runs_in_chunks, start_workers

_SMALL = 5_000     # passages: fewer are written without words in this process


spill_runs_in_chunks()
read_lengths_once()


class WordIndexIncomplete(FazhiError):
    """The Whoosh documents written do not match the passages (a writer died, a disk filled)."""
    status = 500


def document_fields(rows) -> list[dict]:
    """The fields of each passage's Whoosh document, except ``content``
    (see ``indexer.store.writer.schema``)."""
    return [dict(passage_id=passage.id, report_id=report.id, section=passage.heading_path,
                 agency=report.agency, agency_kind=report.agency_kind, agency_level=report.agency_level,
                 doc_type=report.doc_type,
                 province=report.province, city=report.city,
                 year=report.year or 0, category=passage.category)
            for report, passage in rows]


def open_or_create(folder: Path):
    """The Whoosh index in ``folder``: the previous generation's (linked there) or a new one."""
    folder.mkdir(exist_ok=True)
    if whoosh_index.exists_in(folder):
        return whoosh_index.open_dir(folder)
    return whoosh_index.create_in(folder, passage_schema())


def delete_reports(writer, report_ids) -> None:
    """Delete every Whoosh document of these reports from ``writer``."""
    for report_id in report_ids:
        writer.delete_by_term("report_id", report_id)


class DocumentWriter:
    """Create it before reading the reports, ``add`` the passages once read,
    ``finish`` before the generation is marked complete; ``abort`` on failure."""

    def __init__(self, folder: Path, procs: int, words: bool, optimize: bool = False):
        die_with_parent_on_fork()        # Whoosh's workers must not outlive a killed build
        self.folder = folder
        self.optimize = optimize
        self._words = _WordsWriter(folder, procs) if words else None
        self._fields: _FieldsWriter | None = None

    def add(self, rows, deleted=(), progress: bool = False) -> None:
        """Add the passages ``rows`` ((report, passage) pairs); first delete
        the documents of the reports ``deleted`` (by id)."""
        if self._words is not None:
            delete_reports(self._words.writer, deleted)
            self._words.add(rows, progress)
        elif rows or deleted or self.optimize:
            if len(rows) < _SMALL:      # an update: not worth starting a process (a second and more)
                write_fields(self.folder, document_fields(rows), list(deleted), self.optimize)
            else:
                self._fields = _FieldsWriter(self.folder, document_fields(rows), list(deleted), self.optimize)

    def finish(self, deleted_words: dict | None = None) -> None:
        """``deleted_words``: the word records of every document Whoosh holds as
        deleted (``store.writer.word_deletions``), to keep its merge's lengths exact."""
        if self._words is not None:
            self._words.finish(self.optimize, deleted_words or {})
        elif self._fields is not None:
            self._fields.wait()

    def abort(self) -> None:
        """Stop writing: cancel the word writer, or kill the fields' process; nothing is committed."""
        if self._words is not None:
            self._words.abort()
        elif self._fields is not None:
            self._fields.process.kill()


class _WordsWriter:
    """All fields, ``content`` analyzed by jieba in ``procs`` Whoosh workers.

    The workers are forked now (Whoosh would fork them at the first batch of
    documents, after the reports are read), and the documents are fed from a
    thread: Whoosh's job queue holds only a few batches, so feeding blocks
    until the workers catch up, and the main thread has postings to build."""

    def __init__(self, folder: Path, procs: int):
        ix = open_or_create(folder)
        if procs > 1:
            # limitmb is per worker: each pools this much before spilling to disk.
        # compound=False: a reader of a compound segment copies the whole file into
        # memory (BytesIO: +95 MB for the words of 100k passages); separate files
        # are read where needed.
            self.writer = ix.writer(procs=procs, multisegment=True, limitmb=32, compound=False)
            start_workers(self.writer, procs)
        else:
            self.writer = ix.writer(limitmb=64, compound=False)
        self._feeder: threading.Thread | None = None
        self._error: BaseException | None = None
        self._fed = 0

    def add(self, rows, progress: bool) -> None:
        fields = document_fields(rows)
        texts = [passage.text for _, passage in rows]
        self._feeder = threading.Thread(target=self._feed, args=(fields, texts, progress), name="whoosh-feeder",
                                        daemon=True)   # an aborted build must not wait for it
        self._feeder.start()

    def _feed(self, fields: list[dict], texts: list[str], progress: bool) -> None:
        try:
            for doc, text in tqdm(zip(fields, texts), total=len(texts), desc="indexing words",
                                  unit="passage", disable=not progress, leave=False):
                self.writer.add_document(content=text, **doc)
                self._fed += 1
        except BaseException as exc:      # re-raised by finish(), in the main thread
            self._error = exc

    def finish(self, optimize: bool, deleted_words: dict) -> None:
        # A worker killed while it waited for a job dies holding the job queue's
        # lock: the others can take no job, the feeder blocks on a full queue, and
        # waiting for it hung the build.  So the wait watches the workers, and a
        # dead one fails the build before Whoosh's commit waits on it too.
        while self._feeder is not None and self._feeder.is_alive():
            self._feeder.join(0.5)
            self._fail_if_a_worker_died(running=True)
        self._fail_if_a_worker_died(running=True)
        if self._error is not None:
            raise self._error
        self.writer.commit(mergetype=exact_lengths(OPTIMIZE if optimize else MERGE_SMALL, deleted_words))
        self._fail_if_a_worker_died(running=False)
        if not self._fed:
            # Whoosh tells its workers to stop only when documents went to them;
            # with none (every file skipped) they would wait, and keep the build alive.
            self.abort()

    def _fail_if_a_worker_died(self, running: bool) -> None:
        """Before the commit (``running``) a worker has no reason to end at all;
        after it, only with exit code 0.  Else its documents are lost."""
        tasks = getattr(self.writer, "tasks", [])
        ended = [task.exitcode for task in tasks if task.exitcode is not None and (running or task.exitcode != 0)]
        if ended:
            self.abort()
            raise WordIndexIncomplete(f"a word index writer process died (exit code {ended[0]})",
                                      hint="nothing was swapped in (the previous index keeps serving); "
                                           "check free memory and disk space and build again")

    def abort(self) -> None:
        for task in getattr(self.writer, "tasks", []):
            task.terminate()
            task.join()


class _FieldsWriter:
    """The documents without words, written by a spawned process (a fork would
    copy the reports' pages into its RSS).  The fields go through a file, so
    this process need not keep them (a Process keeps its arguments)."""

    def __init__(self, folder: Path, fields: list[dict], deleted: list[str], optimize: bool):
        handoff = folder.with_name("whoosh-fields.tmp")
        with open(handoff, "wb") as out:
            pickle.dump((fields, deleted, optimize), out, protocol=pickle.HIGHEST_PROTOCOL)
        context = multiprocessing.get_context("spawn")
        self.process = context.Process(target=_write_fields, args=(folder, handoff, os.getpid()),
                                       name="whoosh-writer", daemon=True)
        self.process.start()

    def wait(self) -> None:
        self.process.join()
        if self.process.exitcode != 0:
            raise WordIndexIncomplete(f"writing the word index failed (exit code {self.process.exitcode})",
                                      hint="nothing was swapped in; check free memory and disk space and build again")


def _write_fields(folder: Path, handoff: Path, parent: int) -> None:
    die_with_parent(parent)
    with open(handoff, "rb") as source:
        fields, deleted, optimize = pickle.load(source)
    handoff.unlink()
    write_fields(folder, fields, deleted, optimize)


def write_fields(folder: Path, fields: list[dict], deleted: list[str], optimize: bool) -> None:
    """Write the documents' fields (no words) into ``folder``'s Whoosh index, deleting ``deleted`` reports first."""
    writer = open_or_create(folder).writer(limitmb=64, compound=False)
    delete_reports(writer, deleted)
    for doc in fields:
        writer.add_document(**doc)
    writer.commit(optimize=optimize)
