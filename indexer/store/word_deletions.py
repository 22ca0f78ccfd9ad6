"""The words of Whoosh documents deleted but not yet merged away.

Whoosh, like Lucene, keeps a deleted document in its segment until that segment
is merged, and its document frequencies count it meanwhile: after an update,
"did you mean", completion and key terms would rank words by counts that
include the replaced passages, unlike a full rebuild.  Whoosh cannot say which
words a deleted document had (no term vectors are stored), but the build can:
when it deletes the documents of changed and removed reports, it cuts their old
text (still in the serving generation) with the same analyzer and records each
document's distinct words under its place in Whoosh, ``(segment id, document
number)``, which does not change until the segment is merged and the document
purged.  A reader then subtracts, word by word, the records of the documents
Whoosh still holds as deleted (``deleted_frequencies``); records of purged
documents are simply not found and are dropped at the next update.

The file (``word_deletions.json`` in the generation) is small: the distinct
words of the replaced passages only.
"""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

FILE = "word_deletions.json"
FIELD = "content"


def deleted_places(reader) -> set[tuple[str, int]]:
    """(segment id, document number) of every document Whoosh holds as deleted."""
    places = set()
    for leaf, _offset in reader.leaf_readers():
        segment = leaf.segment()
        if segment is not None and segment.has_deletions():
            segid = segment.segment_id()
            places.update((segid, int(docnum)) for docnum in segment.deleted_docs())
    return places


def record(previous, report_ids: list[str]) -> dict[str, dict[str, dict[str, int]]]:
    """The words (with their occurrences) of every live Whoosh document of
    ``report_ids`` in the generation ``previous`` (about to be deleted), by
    segment id and document number."""
    if not report_ids:
        return {}
    texts = _passage_texts(previous, report_ids)
    records: dict[str, dict[str, dict[str, int]]] = {}
    with previous.whoosh().reader() as reader:
        if FIELD not in reader.schema:
            return {}
        field = reader.schema[FIELD]           # its own analyzer, as indexing ran it
        for leaf, _offset in reader.leaf_readers():
            segid = leaf.segment().segment_id()
            for report_id in report_ids:
                if ("report_id", report_id) not in leaf:
                    continue
                for docnum in leaf.postings("report_id", report_id).all_ids():   # live documents only
                    text = texts.get(leaf.stored_fields(docnum)["passage_id"], "")
                    words = {_word(w): freq for w, freq, *_ in field.index(text)}
                    records.setdefault(segid, {})[str(docnum)] = words
    return records


def _word(word) -> str:
    return word.decode("utf-8") if isinstance(word, bytes) else word


def _passage_texts(previous, report_ids: list[str]) -> dict[str, str]:
    texts = {}
    for report_id in report_ids:
        if report_id in previous.report_index:
            texts.update((p["id"], p["text"]) for p in previous.read_report(report_id)["passages"])
    return texts


def carry(previous_path: Path | None, new: dict, whoosh_reader) -> dict:
    """The records a generation keeps: the previous generation's and ``new``,
    only for documents ``whoosh_reader`` still holds as deleted."""
    merged: dict[str, dict[str, dict[str, int]]] = {}
    for source in (load(previous_path) if previous_path else {}, new):
        for segid, docs in source.items():
            merged.setdefault(segid, {}).update(docs)
    still = deleted_places(whoosh_reader)
    return {segid: kept for segid, docs in merged.items()
            if (kept := {d: words for d, words in docs.items() if (segid, int(d)) in still})}


def save(path: Path, records: dict) -> None:
    if records:
        (path / FILE).write_text(json.dumps(records, ensure_ascii=False, sort_keys=True), encoding="utf-8")


def load(path: Path) -> dict:
    try:
        return json.loads((path / FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}


class Deleted:
    """What Whoosh still counts of its deleted documents: per word, the documents
    (``df``) and occurrences (``cf``); their number and total length (``docs``,
    ``length``, as Whoosh's field length counts words)."""

    def __init__(self, path: Path, reader):
        self.df: Counter = Counter()
        self.cf: Counter = Counter()
        self.docs = self.length = 0
        records = load(path)
        for segid, docnum in deleted_places(reader) if records else ():
            words = records.get(segid, {}).get(str(docnum))
            if words is None:
                continue
            self.docs += 1
            self.df.update(words.keys())
            self.cf.update(words)
            self.length += sum(words.values())
