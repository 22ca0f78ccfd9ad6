"""Store: an index generation on disk: phrase postings, numpy columns, texts,
report files, the Whoosh documents, and the atomic swap of generations.

May import: ``indexer.model``, ``indexer.errors``, ``indexer.analysis``.  Never the
search side or the build.  (The Whoosh writer lives in ``schema`` and ``documents``;
reading a generation, ``generation``, needs no Whoosh.)
"""
from ..errors import IndexMissing, IndexVersionError
from .generation import Generation, ReportNotFound
from .layout import CURRENT, META, NORM_FILE, SCHEMA_VERSION, current_generation, read_meta

__all__ = ["CURRENT", "META", "NORM_FILE", "SCHEMA_VERSION", "Generation", "IndexMissing",
           "IndexVersionError", "ReportNotFound", "current_generation", "read_meta"]
