"""The Whoosh schema: one document per passage.

Stored fields are what a result shows; ``agency``, ``province``, ``city``,
``year``, ``category`` and ``report_id`` are facet columns; ``content`` is
jieba-analyzed for word search.  Title and section are stored only: their
matches are scored from the report table, once per report or section, rather
than indexed again in every passage.
``seq`` is the passage's row in the index's numpy columns and postings
(``indexer.postings``), which answer exact phrases and count facets.
"""
from __future__ import annotations

from whoosh.fields import ID, NUMERIC, STORED, TEXT, Schema

from .analysis import ANALYZER

# Bump when the schema, the normalization or the files of an index change: an
# index of another version is refused with a hint to rebuild.
SCHEMA_VERSION = 1


def passage_schema() -> Schema:
    return Schema(
        passage_id=ID(stored=True, unique=True),
        report_id=ID(stored=True, sortable=True),
        seq=NUMERIC(int, bits=32, stored=True, sortable=True, signed=False),
        ordinal=STORED(),
        title=STORED(),
        section=STORED(),
        content=TEXT(analyzer=ANALYZER, stored=True, phrase=False),
        agency=ID(stored=True, sortable=True),
        province=ID(stored=True, sortable=True),
        city=ID(stored=True, sortable=True),
        county=ID(stored=True),
        year=NUMERIC(int, stored=True, sortable=True),
        date=ID(stored=True),
        category=ID(stored=True, sortable=True),
    )
