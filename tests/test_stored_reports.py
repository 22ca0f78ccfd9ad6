"""An update reuses unchanged reports without reading their text back
(``store.reader.stored_report``), and its result is still a full rebuild's."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import SAMPLES
from indexer.build import build_index
from indexer.model import Report
from indexer.store.reader.generation import Generation
from indexer.store.directory.layout import CURRENT, META
from indexer.store.reader.stored_report import ReusedReports, StoredReport
from test_segments import NEVER_MERGE, assert_same_as_rebuild, copy_paragraphs

SAMPLE_FILES = sorted(SAMPLES.glob("*.txt"))
SAME_TITLE = "file,title,agency,year,source_url\n" + "".join(f"{n},同名报告,某局,2022,\n" for n in ("c.txt", "d.txt"))
# What a full rebuild of the same files must give too ("built", "segments" differ by nature).
SAME_AS_REBUILD = ("counts", "report_characters", "reports", "vocab", "sources", "source_reports", "digests",
                   "skipped", "duplicates")


@pytest.fixture
def corpus(tmp_path) -> Path:
    """Three reports, and two more sharing agency, year and title (ids ``<id>``, ``<id>-2``)."""
    folder = tmp_path / "reports"
    (folder / "same").mkdir(parents=True)
    samples = SAMPLE_FILES
    for path in samples[:3]:
        shutil.copy(path, folder)
    shutil.copy(samples[3], folder / "same" / "c.txt")
    shutil.copy(samples[4], folder / "same" / "d.txt")
    (folder / "same" / "manifest.csv").write_text(SAME_TITLE, encoding="utf-8")
    return folder


def meta(index_dir: Path) -> dict:
    return json.loads((index_dir / CURRENT / META).read_text(encoding="utf-8"))


def assert_meta_as_rebuild(folder: Path, index_dir: Path, tmp_path: Path) -> None:
    fresh = tmp_path / "fresh-meta"
    build_index([folder], fresh, procs=1, policy=NEVER_MERGE)
    updated, rebuilt = meta(index_dir), meta(fresh)
    for key in SAME_AS_REBUILD:
        assert updated[key] == rebuilt[key], key
    assert sum(updated["report_characters"].values()) == updated["counts"]["characters"]


def counting_reads(monkeypatch) -> list[str]:
    """The ids ``Generation.read_report`` is asked for from now on."""
    calls: list[str] = []
    read = Generation.read_report

    def counted(self, report_id):
        calls.append(report_id)
        return read(self, report_id)
    monkeypatch.setattr(Generation, "read_report", counted)
    return calls


def test_an_update_reads_no_unchanged_report_back(corpus, tmp_path, monkeypatch):
    shutil.rmtree(corpus / "same")
    index_dir = tmp_path / "index"
    build_index([corpus], index_dir, procs=1, policy=NEVER_MERGE)
    copy_paragraphs(SAMPLE_FILES[0], corpus / "zz_new.txt")
    calls = counting_reads(monkeypatch)
    summary = build_index([corpus], index_dir, procs=1, policy=NEVER_MERGE)
    assert summary["update"]["reused"]["reports"] == 3 and summary["update"]["added"]["reports"] == 1
    assert calls == []
    monkeypatch.undo()
    assert_meta_as_rebuild(corpus, index_dir, tmp_path)


def test_only_reports_sharing_an_id_are_read_back(corpus, tmp_path, monkeypatch):
    """``<id>`` and ``<id>-2`` share the id the duplicate check sees (suffixes
    are handed out afresh after it): it compares their texts, so those two, and
    only those, are read back."""
    index_dir = tmp_path / "index"
    build_index([corpus], index_dir, procs=1, policy=NEVER_MERGE)
    copy_paragraphs(SAMPLE_FILES[0], corpus / "zz_new.txt")
    calls = counting_reads(monkeypatch)
    summary = build_index([corpus], index_dir, procs=1, policy=NEVER_MERGE)
    assert summary["update"]["reused"]["reports"] == 5 and summary["update"]["added"]["reports"] == 1
    paired = {rid for rid in meta(index_dir)["source_reports"] if rid.endswith("-2")}
    assert len(paired) == 1 and sorted(calls) == sorted([next(iter(paired)).removesuffix("-2"), *paired])
    monkeypatch.undo()
    assert_meta_as_rebuild(corpus, index_dir, tmp_path)


def test_reports_renamed_by_an_update_are_read_back_under_their_new_ids(corpus, tmp_path, monkeypatch):
    """A new file first in order with the same agency, year and title moves the
    reused ``<id>`` and ``<id>-2`` to ``-2`` and ``-3``: those two are read back."""
    index_dir = tmp_path / "index"
    build_index([corpus], index_dir, procs=1, policy=NEVER_MERGE)
    copy_paragraphs(SAMPLE_FILES[0], corpus / "same" / "b.txt")
    (corpus / "same" / "manifest.csv").write_text(SAME_TITLE + "b.txt,同名报告,某局,2022,\n", encoding="utf-8")
    calls = counting_reads(monkeypatch)
    summary = build_index([corpus], index_dir, procs=1, policy=NEVER_MERGE)
    # Each read twice: for the new ids, and for the words of the versions Whoosh deletes.
    assert len(set(calls)) == 2 and len(calls) == 4 and summary["update"]["added"]["reports"] == 3
    monkeypatch.undo()
    assert_meta_as_rebuild(corpus, index_dir, tmp_path)
    assert_same_as_rebuild(corpus, index_dir, tmp_path, words=True)


def test_an_index_without_character_counts_updates_as_a_rebuild(corpus, tmp_path):
    """An index built before ``report_characters`` was kept: the counts are
    made from the reports read back."""
    index_dir = tmp_path / "index"
    build_index([corpus], index_dir, procs=1, policy=NEVER_MERGE)
    path = index_dir / CURRENT / META
    old = meta(index_dir)
    del old["report_characters"]
    path.write_text(json.dumps(old, ensure_ascii=False), encoding="utf-8")
    copy_paragraphs(SAMPLE_FILES[1], corpus / "zz_new.txt")
    build_index([corpus], index_dir, procs=1, policy=NEVER_MERGE)
    assert_meta_as_rebuild(corpus, index_dir, tmp_path)


def test_a_stored_report_is_the_report_read_back(corpus, tmp_path):
    index_dir = tmp_path / "index"
    build_index([corpus], index_dir, procs=1)
    generation = Generation((index_dir / CURRENT).resolve())
    try:
        reused = ReusedReports(generation)
        for report_id, key in generation.meta["source_reports"].items():
            stored = reused.lookup(key)
            full = Report.from_dict(generation.read_report(report_id))
            counts = (stored.passage_count(), stored.character_count(), stored.heading_paths())
            assert isinstance(stored, StoredReport) and not stored.loaded
            assert counts == (full.passage_count(), full.character_count(), full.heading_paths())
            assert stored.to_dict() == full.to_dict() and stored.loaded
        assert reused.lookup("no such key") is None
    finally:
        generation.close()
