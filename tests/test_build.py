"""Building indexes: stable ids, updates, atomic swaps, schema versions."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, SAMPLES
from indexer.build import build_index
from indexer.search import IndexMissing, open_index
from indexer.store.directory.layout import CURRENT, META


def all_passage_ids(index_dir: Path) -> list[str]:
    return open_index(index_dir).all_ids("", sort="date")


@pytest.fixture
def reports(tmp_path) -> Path:
    folder = tmp_path / "reports"
    shutil.copytree(SAMPLES, folder)
    return folder


def test_summary_counts_reports_passages_and_skips(reports, tmp_path):
    (reports / "broken.pdf").write_bytes(b"%PDF-1.4 truncated")
    (reports / "empty.txt").write_bytes(b"")
    summary = build_index([reports], tmp_path / "index", procs=1)
    assert summary["reports"] == 5 and summary["passages"] > 150
    assert {Path(s["path"]).name for s in summary["skipped"]} == {"broken.pdf", "empty.txt"}
    assert all(s["reason"] for s in summary["skipped"]) and summary["seconds"] > 0


def test_building_twice_gives_identical_ids(reports, tmp_path):
    build_index([reports], tmp_path / "a", procs=1)
    build_index([reports], tmp_path / "b", procs=2)
    assert all_passage_ids(tmp_path / "a") == all_passage_ids(tmp_path / "b")


def test_suffixed_ids_are_served_and_kept_by_a_rebuild(tmp_path):
    """Two reports with the same agency, year and title: the index serves both,
    the second as ``<id>-2``, and an update that reuses them keeps the ids."""
    source = tmp_path / "src"
    source.mkdir()
    for name, sample in (("a.txt", "000_f7229b1349f031b6.txt"), ("b.txt", "004_1c6251870824dc6a.txt")):
        shutil.copy(SAMPLES / sample, source / name)
    (source / "manifest.csv").write_text("file,title,agency,year,source_url\n" + "".join(
        f"{name},同名报告,某局,2022,\n" for name in ("a.txt", "b.txt")), encoding="utf-8")
    index_dir = tmp_path / "index"
    build_index([source], index_dir, procs=1)
    first = all_passage_ids(index_dir)
    index = open_index(index_dir)
    base = index.get_report_of(first[0])[0]["id"].removesuffix("-2")
    assert {index.get_report(rid)["source"] for rid in (base, f"{base}-2")} == {"a.txt", "b.txt"}
    assert index.get_report_of(f"{base}-2-0001")[1]["id"] == f"{base}-2-0001"
    index.close()
    summary = build_index([source], index_dir, procs=1)
    assert summary["files_reused"] == 2 and all_passage_ids(index_dir) == first


def test_update_after_change_add_and_remove_keeps_untouched_ids(reports, tmp_path):
    index_dir = tmp_path / "index"
    build_index([reports], index_dir, procs=1)
    before = set(all_passage_ids(index_dir))
    removed = reports / "000_f7229b1349f031b6.txt"
    removed_ids = {i for i in before if i.startswith("r2022-0177ae4c5d-")}
    removed.unlink()
    changed = reports / "003_c589ac335115484d.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + "\n\n补充说明：全年开展告知承诺制试点。\n",
                       encoding="utf-8")
    summary = build_index([reports], index_dir, procs=1)
    after = set(all_passage_ids(index_dir))
    assert summary["files_reused"] == 3 and summary["reports"] == 4
    assert not (after & removed_ids)
    assert (before - removed_ids) <= after
    assert open_index(index_dir).all_ids('"告知承诺制试点"')


def test_reader_picks_up_a_rebuild_without_reopening(reports, tmp_path):
    index_dir = tmp_path / "index"
    build_index([reports], index_dir, procs=1)
    index = open_index(index_dir)
    assert index.search('"告知承诺制试点"')["total"] == 0
    (reports / "new.txt").write_text("某某局2023年法治政府建设年度报告\n\n全年开展告知承诺制试点。\n", encoding="utf-8")
    build_index([reports], index_dir, procs=1)
    assert index.refresh() is True
    assert index.search('"告知承诺制试点"')["total"] == 1
    assert index.refresh() is False


_KILL_MIDWAY = """
import os, signal, sys
from pathlib import Path
import indexer.build as build
from indexer.store.writer import generation_writer
original = generation_writer._write_update
def write_then_die(*args, **kwargs):
    original(*args, **kwargs)
    os.kill(os.getpid(), signal.SIGKILL)     # after the new files, before meta and swap
generation_writer._write_update = write_then_die
build.build_index([Path(sys.argv[1])], Path(sys.argv[2]), procs=1)
"""


def test_killed_build_leaves_the_old_index_answering(reports, tmp_path):
    index_dir = tmp_path / "index"
    build_index([reports], index_dir, procs=1)
    serving = (index_dir / CURRENT).resolve()
    before = open_index(index_dir).all_ids("双随机")
    (reports / "new.txt").write_text("某某局2023年法治政府建设年度报告\n\n推行双随机抽查。\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", _KILL_MIDWAY, str(reports), str(index_dir)], cwd=ROOT)
    assert done.returncode == -9
    assert (index_dir / CURRENT).resolve() == serving
    assert len(list(index_dir.glob("gen-*"))) == 2          # the orphan is there, unused
    assert open_index(index_dir).all_ids("双随机") == before
    build_index([reports], index_dir, procs=1)              # the next build clears the orphan
    assert len(open_index(index_dir).all_ids("双随机")) == len(before) + 1
    assert all((g / META).exists() for g in index_dir.glob("gen-*"))


def test_index_of_another_schema_version_says_rebuild(reports, tmp_path):
    index_dir = tmp_path / "index"
    build_index([reports], index_dir, procs=1)
    meta_path = (index_dir / CURRENT).resolve() / META
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["schema_version"] = 0
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(IndexMissing) as error:
        open_index(index_dir)
    assert "schema version" in error.value.message and "build" in error.value.hint


def test_missing_index_says_build_first(tmp_path):
    with pytest.raises(IndexMissing) as error:
        open_index(tmp_path / "nothing")
    assert "build" in error.value.hint


def test_whoosh_documents_answer_words_and_group_by_facets(reports, tmp_path):
    from whoosh import index as whoosh_index
    from whoosh.qparser import QueryParser
    from whoosh.sorting import FieldFacet

    build_index([reports], tmp_path / "index", procs=1)
    ours = set(open_index(tmp_path / "index").all_ids('"双随机"'))
    ix = whoosh_index.open_dir(str((tmp_path / "index" / CURRENT).resolve() / "whoosh"))
    with ix.searcher() as searcher:
        query = QueryParser("content", ix.schema).parse("双随机")
        results = searcher.search(query, limit=None, groupedby=FieldFacet("agency"))
        found = {hit["passage_id"] for hit in results}
        groups = results.groups("agency")
        assert searcher.doc_count() == len(all_passage_ids(tmp_path / "index"))
    # jieba's word 双随机 is in every passage with the phrase (and only there)
    assert found and found == ours
    assert sum(len(docs) for docs in groups.values()) == len(found) and "" not in groups


def test_build_without_words_searches_the_same(reports, tmp_path):
    from whoosh import index as whoosh_index

    build_index([reports], tmp_path / "words", procs=1)
    summary = build_index([reports], tmp_path / "lean", procs=2, words=False)
    assert summary["words"] is False
    for query in ("双随机", '"谁执法谁普法"', "行政 执法 -公示", "section:问题"):
        assert open_index(tmp_path / "lean").all_ids(query) == open_index(tmp_path / "words").all_ids(query)
    ix = whoosh_index.open_dir(str((tmp_path / "lean" / CURRENT).resolve() / "whoosh"))
    with ix.searcher() as searcher:
        assert searcher.doc_count() == summary["passages"]
        assert list(searcher.lexicon("content")) == []
        assert len(list(searcher.lexicon("agency"))) == 5


def test_a_large_folder_of_bad_files_builds_an_empty_index(tmp_path):
    folder = tmp_path / "bad"
    folder.mkdir()
    for n in range(3):       # over 2 MB: the Whoosh writer starts its worker processes
        (folder / f"scan{n}.pdf").write_bytes(b"%PDF-1.4 " + b"\0" * 1_000_000)
    done = subprocess.run([sys.executable, "-m", "indexer", "build", str(folder), "--index", str(tmp_path / "i"),
                           "--quiet"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "indexed 0 reports" in done.stdout and done.stderr.count("skipped") == 3
