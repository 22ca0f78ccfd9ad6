"""Write a generation: the update a build asks for (what is reused, added,
deleted), as a new segment and the Whoosh documents, checked and sealed, then
swapped in; then the merges the policy picks (``merge_policy``), swapped in too.

A build brings the serving generation up to date: files whose bytes and
manifest row did not change are not read again, their reports stay in the
segments that hold them (reused as they are, by reference), new and changed
reports go into one new segment, removed and replaced ones are marked deleted.
The Whoosh documents are updated the same way by Whoosh's own writer.  After
the swap, a merge policy may merge small segments into one and swap again;
``optimize`` merges everything.  The ids come from the reports themselves
(``corpus.make_report_id`` plus the passage ordinal), so untouched passages keep
their ids, through merges too.

The writer never reads a file: the reports come through a :class:`ReportSource`
that the top-level build (``indexer.build``) hands it, so the store knows
nothing of formats and the build is the one place joining reading and writing.
"""
from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path
from typing import Protocol

from tqdm import tqdm

from ...errors import IndexDamaged
from ...model import CATEGORIES, LOW_COVERAGE
from ..directory.layout import (
    META,
    IndexMissing,
    IndexVersionError,
    current_generation,
    new_generation,
    new_segment_name,
    plan_segments,
    remove_leftovers,
    segments_folder,
    swap_in,
    write_json,
)
from ..format import checksums
from ..format.segment import facet_vocab, report_row, write_segment
from ..reader.generation import Generation
from ..reader.stored_report import ReusedReports
from . import word_deletions
from .documents import DocumentWriter, WordIndexIncomplete
from .merge_policy import TieredMergePolicy
from .schema import SCHEMA_VERSION
from .update import Update, link_whoosh, merge_segments, near_duplicates, plan_update


class ReportSource(Protocol):
    """The reports of a build, as the writer asks for them (``indexer.build``
    gives one): the files passed over while finding them (``passed_over``, in
    the build's summary, not in ``meta.json``), the bytes of the files the
    serving generation has not read, and the reading itself, reusing the serving
    generation's reports (``cache``: source key → report) and file digests."""
    passed_over: list

    def unread_bytes(self, known: dict[str, str]) -> int:
        """Bytes of the files whose shown path is not among ``known`` (path → source key)."""

    def read(self, cache, digests: dict | None):
        """The reports read: a result with ``reports``, ``skipped``, ``duplicates``,
        ``sources``, ``report_sources`` and ``digests``."""


def write_generation(root: Path, source: ReportSource, started: float, procs: int = 2, progress: bool = False,
                     words: bool = True, optimize: bool = False, policy: TieredMergePolicy | None = None,
                     near: bool = True) -> dict:
    """Bring the index in ``root`` up to date with ``source`` (the caller holds
    the write lock, ``directory.lock``): the update's generation, then the
    merges; returns the build's summary dict (``started``: its perf_counter
    start, for its seconds)."""
    remove_leftovers(root)              # of builds that died: links, generations, segments
    previous = _previous(root, {"words": words, "near_duplicates": near})
    try:
        result, update, counts, generation = _update(root, source, previous, procs, progress, words, optimize, near)
    finally:
        if previous is not None:
            previous.close()
    result.skipped[:0] = source.passed_over
    swap_in(root, generation)
    update.merged = _merge(root, generation, optimize, policy or TieredMergePolicy())
    seconds = time.perf_counter() - started
    return {
        "index": str(root), "generation": update.merged.pop("generation", generation).name,
        "reports": len(result.reports), "passages": counts["passages"], "characters": counts["characters"],
        "files_reused": _reused(result.sources, previous.meta["source_reports"] if previous else {}),
        "words": words, "timings": counts["timings"], "update": update.summary(), **_problems(result),
        "phases": _phases(counts["timings"], update, seconds), "seconds": round(seconds, 2),
    }


def _phases(timings: dict, update: Update, seconds: float) -> dict:
    """Each phase's seconds and share of the build's wall time: reading the
    files, planning (what is reused, added, deleted), the segment's postings and
    texts, waiting for the Whoosh words beyond them, near-identical passages,
    merging, and the rest (opening the previous generation, swapping)."""
    spent = {"read": update.seconds.get("read", 0.0), "plan": update.seconds.get("deleted", 0.0),
             **{name: timings.get(name, 0.0) for name in ("postings", "texts", "whoosh", "near_duplicates")},
             "merge": (update.merged or {}).get("seconds", 0.0)}
    spent["other"] = max(0.0, seconds - sum(spent.values()))
    return {name: {"seconds": round(value, 3), "share": round(value / seconds, 3) if seconds else 0.0}
            for name, value in spent.items()}


def _update(root: Path, source: ReportSource, previous: Generation | None, procs: int, progress: bool,
            words: bool, optimize: bool, near: bool):
    """Read, plan and write the update as a finished (not yet served) generation."""
    generation = new_generation(root)
    documents, update = None, None
    try:
        if previous is not None:
            link_whoosh(previous.path / "whoosh", generation / "whoosh")
        known = previous.meta["sources"] if previous else {}
        # Started before reading: its worker processes are forked while this one is small.
        documents = DocumentWriter(generation / "whoosh", procs if _large(source.unread_bytes(known)) else 1, words,
                                   optimize)
        clock = time.perf_counter()
        result = source.read(cache=_cache(previous), digests=previous.meta.get("digests") if previous else None)
        seconds = round(time.perf_counter() - clock, 3)
        clock = time.perf_counter()
        update = plan_update(previous, result)
        update.seconds["read"], update.seconds["deleted"] = seconds, round(time.perf_counter() - clock, 3)
        # Before Whoosh deletes them: the words of the documents it is about to delete.
        deletions = word_deletions.record(previous, update.deleted_ids) if words and previous else {}
        counts = _write_update(root, generation, update, documents, progress, near,
                               word_deletions.together(previous.path if previous else None, deletions))
        _check_word_index(generation, counts["passages"])
        if words:
            _keep_word_deletions(generation, previous, deletions)
        meta = {**_meta(result, update, words), "near_duplicates": near}
        if near:
            _say(progress, "finding near-identical passages across reports …")
            counts["timings"]["near_duplicates"] = _near_duplicates(generation, meta, previous, update)
        checksums.seal(generation, meta, segments_folder(root))
        write_json(generation / META, meta)   # written last: marks it finished
    except BaseException:
        # The previous generation keeps serving; nothing of this one stays behind.
        if documents is not None:
            documents.abort()
        shutil.rmtree(generation, ignore_errors=True)
        if update is not None and update.new_segment:
            shutil.rmtree(segments_folder(root) / update.new_segment, ignore_errors=True)
        raise
    return result, update, counts, generation


def _write_update(root: Path, generation: Path, update: Update, documents: DocumentWriter,
                  progress: bool, near: bool, deleted_words: dict) -> dict:
    """The new segment (if any report is new) and the Whoosh documents; the
    segments the generation will list are declared first (see ``layout``).
    ``deleted_words``: the words of every document Whoosh holds as deleted."""
    update.new_segment = new_segment_name() if update.added else None
    plan_segments(generation, update.segment_names())
    clock = time.perf_counter()
    rows = [(r, p) for r in update.added for p in r.passages]
    documents.add(rows, deleted=update.deleted_ids, progress=progress)   # written meanwhile, elsewhere
    counts = {"timings": {}}
    if update.added:
        counts = write_segment(segments_folder(root) / update.new_segment, update.added, near=near)
    _say(progress, "saving the word index (Whoosh commit) …")
    documents.finish(deleted_words)
    update.seconds["added"] = round(time.perf_counter() - clock, 3)
    counts["timings"]["whoosh"] = round(time.perf_counter() - clock - sum(
        v for k, v in counts["timings"].items() if not k.endswith("_mb")), 3)
    counts["passages"] = update.passages
    counts["characters"] = sum(r.character_count() for r in update.reports)
    return counts


def _say(progress: bool, text: str) -> None:
    """A step with no bar of its own, named while it runs (a progress build only)."""
    if progress:
        tqdm.write(text, file=sys.stderr)


def _check_word_index(generation: Path, passages: int) -> None:
    """Whoosh holds one live document per passage, or the build fails here, before
    anything is swapped in.  A writer process that died (killed, out of memory,
    a full disk) lost its share of the documents without an error: a build said
    22,119 passages with 15,919 in Whoosh, and the next build, finding the files
    unchanged, kept the loss."""
    from whoosh import index as whoosh_index

    folder = str(generation / "whoosh")
    if not whoosh_index.exists_in(folder):      # nothing was ever written: no report at all
        held = 0
    else:
        with whoosh_index.open_dir(folder).reader() as reader:
            held = reader.doc_count()
    if held != passages:
        raise WordIndexIncomplete(
            f"the word index holds {held:,} passages of {passages:,}: a writer process died or the disk filled up",
            hint="nothing was swapped in (the previous index keeps serving); check free disk space and build again")


def _keep_word_deletions(generation: Path, previous: Generation | None, new: dict) -> None:
    """The word records of documents Whoosh still holds as deleted (``store.writer.word_deletions``)."""
    from whoosh import index as whoosh_index

    with whoosh_index.open_dir(str(generation / "whoosh")).reader() as reader:
        records = word_deletions.carry(previous.path if previous else None, new, reader)
    word_deletions.save(generation, records)


def _merge(root: Path, generation: Path, optimize: bool, policy: TieredMergePolicy) -> dict:
    """Merge segments as the policy (or ``optimize``) says, into a further
    generation swapped in after the update's; what was merged ({} if nothing)."""
    serving = Generation(generation)
    try:
        return merge_segments(root, serving, policy, optimize) or {}
    finally:
        serving.close()


def _near_duplicates(generation: Path, meta: dict, previous: Generation | None, update: Update) -> float:
    """Near-identical passages across reports (research tools): one separate step."""
    clock = time.perf_counter()
    updated = Generation(generation, meta)
    try:
        near_duplicates(updated, previous, update)
    finally:
        updated.close()
    return round(time.perf_counter() - clock, 3)


def _reused(sources: dict[str, str], previous: dict[str, str]) -> int:
    """Files whose source key the serving generation had read already."""
    known = set(previous.values())     # a set: ``in dict.values()`` scans, once per file
    return sum(1 for key in sources.values() if key in known)


def _large(unread_bytes: int) -> bool:
    """Worth Whoosh's worker processes: more than about 3,000 passages of text."""
    return unread_bytes > 2_000_000


def _meta(result, update: Update, words: bool) -> dict:
    characters = {r.id: r.character_count() for r in result.reports}
    return {
        "schema_version": SCHEMA_VERSION,
        "words": words,
        "built": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "counts": {"reports": len(result.reports), "passages": update.passages,
                   "characters": sum(characters.values())},
        # Per report: what the next update reuses without reading the text back.
        "report_characters": characters,
        "reports": [report_row(r) for r in result.reports],
        "vocab": {**facet_vocab(result.reports), "category": list(CATEGORIES)},
        "segments": update.segment_table(),
        "sources": result.sources,
        "source_reports": result.report_sources,
        "digests": result.digests,
        **_problems(result),
    }


def _problems(result) -> dict:
    return {"skipped": [{"path": s.path, "reason": s.reason} for s in result.skipped],
            # Reports whose passages keep less than LOW_COVERAGE of the file's CJK characters.
            "low_coverage": [{"source": r.source, "report_id": r.id, "coverage": r.coverage} for r in result.reports
                             if r.coverage is not None and r.coverage < LOW_COVERAGE],
            "duplicates": [{"kept": d.kept, "dropped": d.dropped} for d in result.duplicates]}


def _previous(root: Path, choices: dict) -> Generation | None:
    """The serving generation, when an update can build on it (same schema, same
    ``choices``: words, near duplicates); None means a build from scratch."""
    try:
        generation = Generation(current_generation(root))
    except (IndexMissing, IndexVersionError, OSError, ValueError, KeyError):
        return None
    if any(generation.meta.get(name, True) != value for name, value in choices.items()):
        generation.close()
        return None
    try:
        generation.verify()     # every byte: a damaged segment is never reused into the next generation
    except IndexDamaged:
        generation.close()
        return None
    return generation


def _cache(generation: Generation | None):
    """Source key → the report the serving generation read from that source,
    its text left in the index until something asks for it (``StoredReport``)."""
    return None if generation is None else ReusedReports(generation).lookup
