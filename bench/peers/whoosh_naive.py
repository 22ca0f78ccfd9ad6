"""The naive setup: Whoosh with jieba's ``ChineseAnalyzer`` on a default schema.

What a developer gets by following the jieba README: a stored TEXT field with the
analyzer, ID fields for the facets, the default QueryParser (all words must
match; a quoted phrase is a Whoosh phrase query), ``groupedby`` for facet counts
and ``highlights()`` for snippets, the default writer (one process).  The raw
text is indexed as is.  Its phrase queries miss passages (the analyzer's token
positions are character offsets, and it drops stop words such as 和): the
benchmark measures by how much.
"""
from __future__ import annotations

import itertools
import logging
import warnings
from collections.abc import Iterable
from pathlib import Path

from . import FACETS, TOP, Peer, facet_lists, filter_value


def _quiet():
    warnings.filterwarnings("ignore", category=SyntaxWarning)
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    import jieba

    jieba.setLogLevel(logging.WARNING)


class WhooshNaivePeer(Peer):
    name = "whoosh"
    label = "Whoosh + jieba `ChineseAnalyzer`"

    def schema(self):
        _quiet()
        from jieba.analyse import ChineseAnalyzer
        from whoosh.fields import ID, TEXT, Schema

        return Schema(row=ID(stored=True), text=TEXT(stored=True, analyzer=ChineseAnalyzer()),
                      **{f: ID(stored=True) for f in FACETS})

    def build(self, passages: Iterable[dict], workdir: Path) -> None:
        from whoosh import index

        workdir.mkdir(parents=True, exist_ok=True)
        ix = index.create_in(str(workdir), self.schema())
        writer = ix.writer()
        for n, row in enumerate(passages):
            writer.add_document(row=str(n), text=row["text"], **{f: filter_value(row, f) for f in FACETS})
        writer.commit()

    def open(self, workdir: Path, passages: list[dict] | None) -> None:
        _quiet()
        from whoosh import index
        from whoosh.qparser import QueryParser

        self.ix = index.open_dir(str(workdir))
        self.searcher = self.ix.searcher()
        self.parser = QueryParser("text", self.ix.schema)
        self._rows: list[int] | None = None

    def close(self) -> None:
        self.searcher.close()

    def _filter(self, query: dict):
        from whoosh.query import And, Or, Term

        parts = [Or([Term(f, str(v)) for v in values]) for f, values in (query.get("filters") or {}).items()]
        return And(parts) if parts else None

    def search(self, query: dict) -> dict:
        from whoosh import sorting

        parsed = self.parser.parse(query["q"])
        facets = {f: sorting.FieldFacet(f) for f in FACETS}
        results = self.searcher.search(parsed, limit=TOP, filter=self._filter(query),
                                       groupedby=facets, maptype=sorting.Count)
        counters = {f: _counter(results.groups(f)) for f in FACETS}
        # with groupedby, Whoosh keeps every match in the results: show only the top 10
        hits = [{"passage_id": int(hit["row"]), "snippet": hit.highlights("text")}
                for hit in itertools.islice(results, TOP)]
        return {"total": len(results), "hits": hits, "facets": facet_lists(counters)}

    def matches(self, query: dict) -> list[int]:
        if self._rows is None:   # docnum → row, read once
            reader = self.searcher.reader()
            self._rows = [0] * reader.doc_count_all()
            for docnum, stored in reader.iter_docs():
                self._rows[docnum] = int(stored["row"])
        parsed = self.parser.parse(query["q"])
        results = self.searcher.search(parsed, limit=None, filter=self._filter(query))
        return [self._rows[d] for d in results.docs()]


def _counter(groups: dict):
    from collections import Counter

    return Counter({str(k): v for k, v in groups.items()})
