"""Write the Whoosh documents of a generation: one per passage, with its id and
its facets (section, agency, province, city, year, category, report).

Two ways, by whether jieba's words go into the ``content`` field:

* with words (the default), Whoosh's own multi-process writer analyzes every
  passage with jieba.  This is most of a build's time (Whoosh spends about
  17 µs on each posting, in Python), and the app does not read these words:
  it answers from its own phrase postings.  They are for tools that open
  ``whoosh/`` directly.
* without words (``build --no-words``), the documents hold only the fields
  above; they are written by a separate process started at the beginning of
  the build, so that the build's two cores work at once (the main process
  builds the postings meanwhile).  The process is spawned, not forked: a fork
  would share, and be charged for, every page of the reports in memory.
"""
from __future__ import annotations

import multiprocessing
from pathlib import Path

from tqdm import tqdm
from whoosh import index as whoosh_index

from .analysis import segmenter
from .schema import passage_schema


def document_fields(rows) -> list[dict]:
    """The fields of each passage's Whoosh document, except ``content``
    (see ``indexer.schema``); ``seq`` is the passage's row in the numpy columns."""
    return [dict(passage_id=passage.id, report_id=report.id, seq=seq, section=passage.section,
                 agency=report.agency, province=report.province, city=report.city,
                 year=report.year or 0, category=passage.category)
            for seq, (report, passage) in enumerate(rows)]


def write_with_words(folder: Path, rows, procs: int, progress: bool = False) -> None:
    """All fields, ``content`` analyzed by jieba, by ``procs`` processes."""
    folder.mkdir()
    segmenter()               # load jieba before the writer forks its workers
    ix = whoosh_index.create_in(folder, passage_schema())
    many = procs > 1 and len(rows) > 2000
    # limitmb is per worker: each of procs workers pools this much before spilling.
    writer = ix.writer(procs=procs if many else 1, multisegment=many, limitmb=128)
    fields = document_fields(rows)
    for doc, (_, passage) in tqdm(zip(fields, rows), total=len(rows), desc="indexing words",
                                  unit="passage", disable=not progress, leave=False):
        writer.add_document(content=passage.text, **doc)
    writer.commit()


class BackgroundWriter:
    """The documents without words, written by a process of their own."""

    def __init__(self, folder: Path, rows):
        context = multiprocessing.get_context("spawn")
        self.process = context.Process(target=_write_fields, args=(folder, document_fields(rows)),
                                       name="whoosh-writer", daemon=True)
        self.process.start()

    def wait(self) -> None:
        self.process.join()
        if self.process.exitcode != 0:
            raise RuntimeError(f"writing the Whoosh documents failed (exit code {self.process.exitcode})")


def _write_fields(folder: Path, fields: list[dict]) -> None:
    folder.mkdir()
    ix = whoosh_index.create_in(folder, passage_schema())
    writer = ix.writer(limitmb=64)
    for doc in fields:
        writer.add_document(**doc)
    writer.commit()
