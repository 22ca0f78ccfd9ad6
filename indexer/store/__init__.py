"""Store: an index generation on disk: phrase postings, numpy columns, texts,
report files, the Whoosh documents, and the atomic swap of generations.

Four sub-packages by role (as tantivy splits its tree):

* ``format``: the files' format: postings and gram lists, segment files (texts,
  columns, report files), near-duplicate pairs, checksums, JSON files.
* ``directory``: the index directory: generations swapped in atomically, locks
  (readers' and the one writer's ``write.lock``), ``meta.json``.
* ``writer``: a generation written (an update's plan, its segment and Whoosh
  documents, near-identical pairs, merges), the Whoosh schema, deleted words,
  the merge policy.
* ``reader``: a generation opened for reading (no Whoosh), its segments in
  global order, reports reused from it.

The format imports nothing of the others; the directory only the format; the
writer and the reader the format and the directory, the writer the reader too
(an update plans against the serving generation, a merge reads segments); the
reader never the writer (``tests/test_layout.py``).  May import:
``indexer.model``, ``indexer.errors``, ``indexer.analysis``.  Never the readers
of files (``read``, ``report``: the build hands the writer its reports), the
search side or the build.
"""
from ..errors import IndexMissing, IndexVersionError
from .directory.layout import CURRENT, META, NORM_FILE, SCHEMA_VERSION, current_generation, read_meta
from .reader.generation import Generation, ReportNotFound

__all__ = ["CURRENT", "META", "NORM_FILE", "SCHEMA_VERSION", "Generation", "IndexMissing",
           "IndexVersionError", "ReportNotFound", "current_generation", "read_meta"]
