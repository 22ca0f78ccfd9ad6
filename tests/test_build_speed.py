"""The build's speed (issue 27): Whoosh's posting pool spills sorted runs to
disk when a writer's memory limit is reached, and ``indexer.store.writer.documents``
writes them as marshal records: an index whose writer spilled many runs must
hold exactly the words and postings of one that spilled none.  The summary
gives each phase's seconds and share."""
from __future__ import annotations

from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.writing import PostingPool

from conftest import SAMPLES
from indexer.report.corpus import read_reports
from indexer.store.writer import documents
from indexer.store.writer.schema import passage_schema


def _write(folder: Path, rows, limit_bytes: int) -> None:
    folder.mkdir()
    writer = whoosh_index.create_in(folder, passage_schema()).writer(limitmb=512)
    writer.pool.limit = limit_bytes          # Whoosh's own estimate of the postings' memory
    for doc, (_report, passage) in zip(documents.document_fields(rows), rows):
        writer.add_document(content=passage.text, **doc)
    writer.commit()


def _everything(folder: Path) -> list:
    with whoosh_index.open_dir(folder).reader() as reader:
        return [(field, text, reader.doc_frequency(field, text), reader.frequency(field, text),
                 list(reader.postings(field, text).items_as("weight")))
                for field, text in reader.all_terms()]


def test_an_index_that_spilled_runs_holds_the_same_postings(tmp_path, monkeypatch):
    rows = [(r, p) for r in read_reports([SAMPLES]).reports for p in r.passages]
    saved = []
    original = PostingPool.save
    monkeypatch.setattr(PostingPool, "save", lambda self: (saved.append(len(self.current)), original(self))[1])
    _write(tmp_path / "spilled", rows, limit_bytes=100_000)
    spilled_runs = len(saved)
    saved.clear()
    _write(tmp_path / "whole", rows, limit_bytes=512 << 20)
    assert PostingPool._fazhi_chunked                  # noqa: SLF001  (the chunked runs are in use)
    assert spilled_runs >= 10 and saved == []
    assert _everything(tmp_path / "spilled") == _everything(tmp_path / "whole")


def test_the_summary_gives_each_phases_share(tmp_path):
    from indexer.build import build_index

    first = build_index([SAMPLES], tmp_path / "ix", procs=1, words=False)
    again = build_index([SAMPLES], tmp_path / "ix", procs=1, words=False)
    for summary in (first, again):
        phases = summary["phases"]
        assert set(phases) == {"read", "plan", "postings", "texts", "whoosh", "near_duplicates", "merge", "other"}
        assert all(p["seconds"] >= 0 and 0 <= p["share"] <= 1 for p in phases.values())
        assert abs(sum(p["seconds"] for p in phases.values()) - summary["seconds"]) < 0.05
    assert first["phases"]["postings"]["seconds"] > 0 and again["phases"]["postings"]["seconds"] == 0


def test_the_fold_tables_are_kept_between_processes_and_rebuilt_when_damaged(tmp_path, monkeypatch):
    """Every build, update and ``inspect`` folds text; the tables (a scan of all
    Unicode) are read back from the temp folder, equal to freshly built ones."""
    import tempfile

    from indexer.analysis import fold

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    fold._tables.cache_clear()
    try:
        built = fold._tables()                  # none kept yet: built and written
        kept = fold._tables_file()
        assert kept.parent == tmp_path and kept.exists()
        fold._tables.cache_clear()
        assert fold._tables() == built == fold._build_tables()
        kept.write_text("{damaged", encoding="utf-8")
        fold._tables.cache_clear()
        assert fold._tables() == built
        assert fold.fold("（一）全面推行“双随机、一公开”監管 ＡＢＣ１２３") == "一全面推行双随机一公开監管ABC123"
    finally:
        fold._tables.cache_clear()


def _blocks(folder: Path) -> list:
    """Every term's first postings block: the field lengths the postings writer
    recorded there (the scorer's bounds), and the document lengths."""
    with whoosh_index.open_dir(folder).reader() as reader:
        found = [(field, text, reader.postings(field, text).block_min_length(),
                  reader.postings(field, text).block_max_length())
                 for field, text in reader.all_terms()]
        return found + [reader.doc_field_length(doc, "content") for doc in range(reader.doc_count_all())]


def test_lengths_read_once_write_what_whoosh_writes(tmp_path, monkeypatch):
    """The postings writer reads each field's lengths once (``documents._read_lengths_once``),
    not once per posting: every block records the lengths Whoosh's own way records."""
    from whoosh.codec.base import FieldWriter

    rows = [(r, p) for r in read_reports([SAMPLES]).reports for p in r.passages]
    _write(tmp_path / "once", rows, limit_bytes=10**9)
    monkeypatch.setattr(FieldWriter, "add_postings", FieldWriter._fazhi_add_postings)
    _write(tmp_path / "whoosh", rows, limit_bytes=10**9)
    once, whoosh = _blocks(tmp_path / "once"), _blocks(tmp_path / "whoosh")
    assert len(once) > 1000 and once == whoosh
    assert _everything(tmp_path / "once") == _everything(tmp_path / "whoosh")
    assert len({low for field, _, low, _ in once[:-len(rows)] if field == "content"}) > 10   # lengths vary
