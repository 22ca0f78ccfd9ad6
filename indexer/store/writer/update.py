"""What an update changes: which reports of the serving generation are reused
as they are, which are new (written as one new segment) and which are deleted;
and the merges a policy asks for after the update is served.

A report is reused when its id, source key (file bytes and manifest row) and
table row are the same as in the serving generation; anything else about it
counts as removed (its rows marked deleted in the segment holding them) and,
if it is still there, added anew.
"""
from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ...model import Report
from ..directory.layout import META, new_generation, new_segment_name, plan_segments, segments_folder, swap_in, write_json
from ..format import checksums
from ..format.near_duplicates import FILE as NEAR_FILE, load_pairs, save_pairs, split_keys
from ..format.segment import report_row, write_segment
from ..reader.generation import Generation
from ..reader.normalized import NormalizedRows
from .merge_policy import TieredMergePolicy
from .near_pairs import text_pairs
from .word_deletions import FILE as WORD_DELETIONS


@dataclass
class Update:
    """What an update changes: reports reused, added (the new segment) and deleted, with their counts and seconds."""
    reports: list[Report]                   # every report, in full-rebuild order
    added: list[Report]                     # new or changed: the new segment's
    kept: list[dict]                        # segments reused: {"name", "deleted": [report ids]}
    deleted_ids: list[str] = field(default_factory=list)     # old versions no longer served
    deleted_passages: int = 0
    reused_passages: int = 0
    new_segment: str | None = None
    seconds: dict = field(default_factory=dict)
    merged: dict = field(default_factory=dict)

    @property
    def passages(self) -> int:
        """The passages of every report the update serves."""
        return sum(r.passage_count() for r in self.reports)

    def segment_names(self) -> list[str]:
        """The segments the updated generation lists: those kept, then the new one."""
        return [s["name"] for s in self.kept] + ([self.new_segment] if self.new_segment else [])

    def segment_table(self) -> list[dict]:
        """The segments with their deleted reports, for ``meta.json``."""
        return self.kept + ([{"name": self.new_segment, "deleted": []}] if self.new_segment else [])

    def summary(self) -> dict:
        """What the build reused, added, deleted and merged, and the seconds each took."""
        return {
            "reused": {"reports": len(self.reports) - len(self.added), "passages": self.reused_passages,
                       "segments": len(self.kept), "seconds": self.seconds.get("read", 0.0)},
            "added": {"reports": len(self.added), "passages": sum(r.passage_count() for r in self.added),
                      "segment": self.new_segment, "seconds": self.seconds.get("added", 0.0)},
            "deleted": {"reports": len(self.deleted_ids), "passages": self.deleted_passages,
                        "seconds": self.seconds.get("deleted", 0.0)},
            "merged": self.merged or {"segments": 0, "into": 0, "passages": 0, "seconds": 0.0},
        }


def plan_update(previous: Generation | None, result) -> Update:
    """Sort the reports read into reused and added, and mark the rest deleted."""
    if previous is None:
        return Update(result.reports, list(result.reports), [])
    rows = dict(zip(previous.report_ids, previous.reports))
    keys = previous.meta.get("source_reports", {})
    reused = {r.id for r in result.reports
              if r.id in rows and keys.get(r.id) == result.report_sources.get(r.id) and rows[r.id] == report_row(r)}
    sizes = _report_sizes(previous)
    owner = previous.report_segments            # segment of each report of the table
    gone = np.array([n for n, rid in enumerate(previous.report_ids) if rid not in reused], dtype=np.int64)
    live = np.bincount(owner, minlength=len(previous.segments)) - np.bincount(owner[gone], minlength=len(previous.segments))
    kept = []
    for number, entry in enumerate(previous.meta["segments"]):
        if live[number] > 0:
            mine = [previous.report_ids[g] for g in gone[owner[gone] == number]]
            kept.append({"name": entry["name"], "deleted": sorted({*entry["deleted"], *mine})})
    return Update(result.reports, [r for r in result.reports if r.id not in reused], kept,
                  deleted_ids=[previous.report_ids[g] for g in gone.tolist()],
                  deleted_passages=int(sizes[gone].sum()), reused_passages=int(sizes.sum() - sizes[gone].sum()))


def _report_sizes(generation: Generation) -> np.ndarray:
    total = len(generation.columns["report"])
    return np.diff(np.append(generation.first_seq, total))


def near_duplicates(generation: Generation, previous: Generation | None, update: Update) -> int:
    """Write the generation's near-identical text pairs: the previous
    generation's between texts whose rows did not change, plus those of every
    text a new or removed passage holds (``near_pairs``); returns their number."""
    bands, keys = split_keys(generation.bands())        # every segment's file read once for both
    if keys is None:            # no segment at all (every file skipped): no text
        keys = np.zeros(len(bands), dtype=np.uint64)
    kept, touched = _kept_pairs(generation, previous, update, keys)
    # Normalized from the display texts when asked: an update's candidates need a few, not every segment's inflated.
    norm = NormalizedRows(generation.texts, len(keys))
    found = text_pairs(bands, keys, generation.columns["report"], norm, touched)
    a, b, similarity = (np.concatenate([x, y]) for x, y in zip(kept, found))
    return save_pairs(generation.path, a, b, similarity)


def _kept_pairs(generation: Generation, previous: Generation | None, update: Update, keys: np.ndarray):
    """(the previous generation's text pairs (a < b) that stand as they were,
    the texts to look at again: those of passages added or removed), or no
    pairs and None (every text) when there is no previous file of text pairs."""
    data = load_pairs(previous.path) if previous is not None else None
    if data is None or "key_a" not in data:
        return (np.zeros(0, np.uint64), np.zeros(0, np.uint64), np.zeros(0, np.float32)), None
    gone = np.isin(previous.report_ids, update.deleted_ids)      # removed, or changed under the same id
    removed = previous.text_keys()[gone[previous.columns["report"]]]
    fresh = keys[generation.segment_rows(update.new_segment)] if update.new_segment else keys[:0]
    touched = np.unique(np.concatenate([removed, fresh]))
    touched = touched[touched != 0]
    half = data["key_a"] < data["key_b"]
    a, b, similarity = data["key_a"][half], data["key_b"][half], data["similarity"][half]
    stand = ~np.isin(a, touched) & ~np.isin(b, touched)
    return (a[stand], b[stand], similarity[stand]), touched


def link_whoosh(source: Path, target: Path) -> None:
    """The previous generation's Whoosh files, hard-linked (not copied): Whoosh
    writes new files and a new table of contents, never into an old file."""
    target.mkdir()
    if not source.is_dir():
        return
    for path in source.iterdir():
        if path.is_file() and not path.name.endswith("LOCK"):
            os.link(path, target / path.name)


def merge_segments(root: Path, serving: Generation, policy: TieredMergePolicy, optimize: bool) -> dict | None:
    """Merge the segments the policy picks (all of them for ``optimize``) into
    new ones, in a new generation swapped in; what was merged, or None."""
    sizes = serving.segment_sizes()
    groups = policy.optimize(sizes) if optimize else policy.merges(sizes)
    if not groups:
        return None
    clock = time.perf_counter()
    generation = new_generation(root)
    merged = {name for group in groups for name in group}
    kept = [s for s in serving.meta["segments"] if s["name"] not in merged]
    names = [new_segment_name() for _ in groups]
    plan_segments(generation, [s["name"] for s in kept] + names)
    try:
        passages = _write_merged(root, serving, generation, groups, names)
        meta = {**serving.meta, "segments": kept + [{"name": n, "deleted": []} for n in names],
                "built": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        checksums.seal(generation, meta, segments_folder(root))
        write_json(generation / META, meta)
    except BaseException:
        # The update stays served; nothing of the merge stays behind.
        shutil.rmtree(generation, ignore_errors=True)
        for name in names:
            shutil.rmtree(segments_folder(root) / name, ignore_errors=True)
        raise
    swap_in(root, generation)
    return {"generation": generation, "segments": len(merged), "into": len(names), "passages": passages,
            "seconds": round(time.perf_counter() - clock, 3)}


def _write_merged(root: Path, serving: Generation, generation: Path, groups: list[list[str]],
                  names: list[str]) -> int:
    """The merged segments (each group's live reports, in table order, their
    band keys carried over) and the Whoosh files and pairs, linked; returns
    the passages written."""
    link_whoosh(serving.path / "whoosh", generation / "whoosh")
    for kept in (NEAR_FILE, WORD_DELETIONS):       # same passages, same numbers; Whoosh unchanged
        if (serving.path / kept).exists():
            os.link(serving.path / kept, generation / kept)
    index = {s.name: n for n, s in enumerate(serving.segments)}
    bands, sizes, passages = serving.bands(), _report_sizes(serving), 0
    owners = serving.report_segments.tolist()
    for group, name in zip(groups, names):
        members = {index[n] for n in group}
        numbers = [g for g, owner in enumerate(owners) if owner in members]
        rows = np.concatenate([np.arange(serving.first_seq[g], serving.first_seq[g] + sizes[g]) for g in numbers]
                              or [np.zeros(0, np.int64)])
        counts = write_segment(segments_folder(root) / name,
                               [Report.from_dict(serving.read_report(serving.report_ids[g])) for g in numbers],
                               bands=bands[rows])
        passages += counts["passages"]
    return passages
