"""SQLite FTS5 with the trigram tokenizer.

One FTS5 table holds the normalized text (``textnorm.norm``, the engine's) and the facet
fields as UNINDEXED columns.  A term of three or more characters is a MATCH on a
quoted trigram phrase (exact substring); a shorter one can only be a LIKE, which
the trigram index cannot help, so it scans.  Facet counts come from one GROUP BY
over the four facet fields; the top 10 are ranked by bm25 with ``snippet()``.
"""
from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from ..textnorm import norm
from . import FACETS, TOP, Peer, facet_lists, filter_value

DB = "fts5.sqlite"


class Fts5Peer(Peer):
    name = "fts5"
    label = "SQLite FTS5 trigram (LIKE under 3 chars)"

    def build(self, passages: Iterable[dict], workdir: Path) -> None:
        workdir.mkdir(parents=True, exist_ok=True)
        path = workdir / DB
        path.unlink(missing_ok=True)
        con = sqlite3.connect(path)
        cols = ", ".join(f"{f} UNINDEXED" for f in FACETS)
        con.execute(f"CREATE VIRTUAL TABLE p USING fts5(text, {cols}, tokenize='trigram')")
        rows = ((n + 1, norm(r["text"]), *(filter_value(r, f) for f in FACETS)) for n, r in enumerate(passages))
        with con:
            con.executemany(f"INSERT INTO p(rowid, text, {', '.join(FACETS)}) VALUES (?, ?, ?, ?, ?, ?)", rows)
        con.execute("INSERT INTO p(p) VALUES ('optimize')")
        con.commit()
        con.close()

    def open(self, workdir: Path, passages: list[dict] | None) -> None:
        self.con = sqlite3.connect(workdir / DB, check_same_thread=False)

    def close(self) -> None:
        self.con.close()

    def where(self, query: dict) -> tuple[str, list]:
        """The WHERE clause and its parameters for a query's terms and filters."""
        clauses: list[str] = []
        params: list = []
        long_terms = [norm(t) for t in query["terms"] if len(norm(t)) >= 3]
        if long_terms:
            clauses.append("p MATCH ?")
            params.append(" AND ".join('"' + t.replace('"', '""') + '"' for t in long_terms))
        for term in (norm(t) for t in query["terms"]):
            if len(term) < 3:
                clauses.append("text LIKE ? ESCAPE '\\'")
                params.append("%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
        for field, values in (query.get("filters") or {}).items():
            clauses.append(f"{field} IN ({', '.join('?' * len(values))})")
            params.extend(str(v) for v in values)
        return " AND ".join(clauses) or "1", params

    def search(self, query: dict) -> dict:
        where, params = self.where(query)
        counters = {f: Counter() for f in FACETS}
        total = 0
        sql = f"SELECT {', '.join(FACETS)}, count(*) FROM p WHERE {where} GROUP BY {', '.join(FACETS)}"
        for *values, count in self.con.execute(sql, params):
            total += count
            for field, value in zip(FACETS, values):
                counters[field][value] += count
        ranked = "p MATCH ?" in where
        order = "ORDER BY rank" if ranked else ""
        shown = "snippet(p, 0, '<mark>', '</mark>', '…', 24)" if ranked else "substr(text, 1, 120)"
        hits = [{"passage_id": rowid - 1, "snippet": text} for rowid, text in self.con.execute(
            f"SELECT rowid, {shown} FROM p WHERE {where} {order} LIMIT {TOP}", params)]
        return {"total": total, "hits": hits, "facets": facet_lists(counters)}

    def matches(self, query: dict) -> list[int]:
        where, params = self.where(query)
        return [rowid - 1 for (rowid,) in self.con.execute(f"SELECT rowid FROM p WHERE {where}", params)]
