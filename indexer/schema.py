"""The Whoosh schema: one document per passage.

Stored fields are what a result shows except its text, which is stored once,
in ``texts.bin`` beside the Whoosh files; ``agency``, ``province``, ``city``,
``year``, ``category`` and ``report_id`` are facet columns; ``content`` is
jieba-analyzed for word search.  Title and section are stored only: their
matches are scored from the report table, once per report or section, rather
than indexed again in every passage.
``seq`` is the passage's row in the index's numpy columns and postings
(``indexer.postings``), which answer exact phrases and count facets.
"""
from __future__ import annotations

from whoosh import columns
from whoosh.codec import whoosh3
from whoosh.fields import COLUMN, ID, NUMERIC, STORED, TEXT, Schema

from .analysis import ANALYZER

# Bump when the schema, the normalization or the files of an index change: an
# index of another version is refused with a hint to rebuild.
SCHEMA_VERSION = 4


def passage_schema() -> Schema:
    return Schema(
        passage_id=ID(stored=True, unique=True),
        report_id=ID(stored=True, sortable=True),
        seq=COLUMN(columns.NumericColumn("I")),     # a column only: nothing to search on
        ordinal=STORED(),
        title=STORED(),
        section=STORED(),
        # The display text is stored once, in texts.bin beside this index (memory-mapped
        # for hits and report pages); here it is only analyzed.
        content=TEXT(analyzer=ANALYZER, stored=False, phrase=False),
        agency=ID(stored=True, sortable=True),
        province=ID(stored=True, sortable=True),
        city=ID(stored=True, sortable=True),
        county=STORED(),
        # One term per value: the default tiered terms serve range queries, not facets.
        year=NUMERIC(int, bits=32, stored=True, sortable=True, shift_step=0),
        date=STORED(),
        category=ID(stored=True, sortable=True),
    )


def _cache_missing_columns() -> None:
    """Whoosh 2.7 looks up a field's length column once per posting while
    writing, and when a field has none (ID fields) it asks the file system every
    time, uncached: a third of a build's commit went to ``stat``.  Remember the
    miss."""
    reader_class = whoosh3.W3PerDocReader
    if getattr(reader_class, "_fazhi_patched", False):
        return
    original = reader_class._cached_reader

    def cached_reader(self, fieldname, column):
        missing = self.__dict__.setdefault("_fazhi_missing", set())
        if fieldname in missing:
            return None
        reader = original(self, fieldname, column)
        if reader is None:
            missing.add(fieldname)
        return reader

    reader_class._cached_reader = cached_reader
    reader_class._fazhi_patched = True


_cache_missing_columns()
