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

The same records keep Whoosh's total field length exact through its own merge
(``exact_lengths``): a merge copies each document's length as its one-byte
quantized form, so the merged segment's total (BM25F's average length) would
drift from a fresh build's; the exact total is the merged segments' totals less
their deleted documents' recorded lengths.
"""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from .whoosh_hooks import field_length_total, segment_field_length, set_field_length_total

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


def together(previous_path: Path | None, new: dict) -> dict:
    """The previous generation's records and ``new`` in one table."""
    merged: dict[str, dict[str, dict[str, int]]] = {}
    for source in (load(previous_path) if previous_path else {}, new):
        for segid, docs in source.items():
            merged.setdefault(segid, {}).update(docs)
    return merged


def carry(previous_path: Path | None, new: dict, whoosh_reader) -> dict:
    """The records a generation keeps: the previous generation's and ``new``,
    only for documents ``whoosh_reader`` still holds as deleted."""
    merged = together(previous_path, new)
    still = deleted_places(whoosh_reader)
    return {segid: kept for segid, docs in merged.items()
            if (kept := {d: words for d, words in docs.items() if (segid, int(d)) in still})}


def save(path: Path, records: dict) -> None:
    """Write the records into the generation folder ``path`` (nothing when there are none)."""
    if records:
        (path / FILE).write_text(json.dumps(records, ensure_ascii=False, sort_keys=True), encoding="utf-8")


def load(path: Path) -> dict:
    """The records of the generation folder ``path`` ({} when it has none)."""
    try:
        return json.loads((path / FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}


def exact_lengths(policy, records: dict):
    """Whoosh's merge ``policy`` (``MERGE_SMALL``, ``OPTIMIZE``), keeping the
    total length of the ``content`` field exact: after the policy has copied the
    segments it merges (their lengths quantized), the writer's total is set to
    what those segments' documents really hold.  ``records``: the word records
    of every document deleted in them (this update's and the carried ones); a
    deleted document without one leaves Whoosh's own total."""
    def merge(writer, segments):
        before = field_length_total(writer, FIELD)
        kept = policy(writer, segments)
        merged = [s for s in segments if not any(s is k for k in kept)]
        exact = _live_length(merged, records)
        if exact is not None:
            set_field_length_total(writer, FIELD, before + exact)
        return kept
    return merge


def _live_length(segments, records: dict) -> int | None:
    """The words of the live documents of ``segments`` (None: a deleted one is unrecorded)."""
    total = 0
    for segment in segments:
        total += segment_field_length(segment, FIELD)      # exact, by induction
        if segment.has_deletions():
            docs = records.get(segment.segment_id(), {})
            for docnum in segment.deleted_docs():
                words = docs.get(str(docnum))
                if words is None:
                    return None
                total -= sum(words.values())
    return total


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
