"""The Whoosh schema: one document per passage.

What a tool opening ``whoosh/`` directly gets: ``passage_id`` stored (the
passage's address: ``/p/<id>`` in the app, ``Index.get_passage`` in the
library), the facets as sortable columns (``agency``, ``agency_kind``, ``agency_level``, ``province``, ``city``,
``year``, ``section``, ``category``, ``report_id``) for ``groupedby`` and
filters, and, when built with words, ``content``: the passage's jieba words
(Frequency format: which words and how often; phrases are the app's own
postings' job).  Titles, dates and texts are not repeated in every passage:
they are in the segments beside it.  There is no row number: a passage's row
in the app's columns moves when reports are added before it, and a document
is never rewritten for that; ``passage_id`` is the stable key.
"""
from __future__ import annotations

from whoosh.fields import ID, NUMERIC, TEXT, Schema

from ...analysis import ANALYZER
from .whoosh_hooks import cache_missing_columns
from ..directory.layout import SCHEMA_VERSION  # noqa: F401  (bump it there: reading an index needs no Whoosh)


def passage_schema() -> Schema:
    """The Whoosh schema of a passage's document (see the module docstring)."""
    facet = lambda: ID(sortable=True)          # noqa: E731  (a column per field, for groupedby)
    return Schema(
        passage_id=ID(stored=True, unique=True),
        report_id=facet(),
        content=TEXT(analyzer=ANALYZER, stored=False, phrase=False),
        section=facet(),           # the passage's heading path (the public field name stays)
        agency=facet(),
        agency_kind=facet(),
        agency_level=facet(),
        doc_type=facet(),
        province=facet(),
        city=facet(),
        # One term per value: the default tiered terms serve range queries, not facets.
        year=NUMERIC(int, bits=32, sortable=True, shift_step=0),
        category=facet(),
    )


cache_missing_columns()
