"""Updates by segments answer exactly as a full rebuild of the same files.

Reports are added, changed and removed in turn; after each update every answer
of a query mix (totals, hits in order with their snippets, facets, pages, the
full id lists, report pages, the Whoosh documents) is compared with a fresh
build of the same files in another folder."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from conftest import ROOT, SAMPLES, shared_path
from indexer.build import build_index
from indexer.report.corpus import list_report_files
from indexer.search import open_index
from indexer.store.directory.layout import CURRENT, META
from indexer.store.writer.merge_policy import TieredMergePolicy

NEVER_MERGE = TieredMergePolicy(segments_per_tier=0)
QUERIES = ["", "法治", "法治政府建设", "“行政执法”", "依法 行政", "双随机 OR 抽查", "法治 -疫情", "year:2022 法治",
           "section:问题 法治", "agency:司法", "2023年", "建设", "监督 考核 培训", "“推进”", "province:广东 制度"]
PAGES = [(1, 10), (2, 7), (3, 3)]


def answers(index_dir: Path, related: bool = True) -> dict:
    """Every answer the query mix gets from the index in ``index_dir``."""
    index = open_index(index_dir)
    found = {}
    for q in QUERIES:
        for sort in ("relevance", "date"):
            found[q, sort, "ids"] = index.all_ids(q, sort=sort)
            for page, per_page in PAGES:
                result = index.search(q, page=page, per_page=per_page, sort=sort)
                result.pop("took_ms")
                found[q, sort, page, per_page] = result
            grouped = index.search(q, per_page=5, sort=sort, group="report")
            grouped.pop("took_ms")
            found[q, sort, "report"] = grouped
    for report_id in index.generation.report_ids:
        found["report", report_id] = index.get_report(report_id)
    found["whoosh"] = whoosh_documents(index)
    found.update(research_answers(index, related))
    index.close()
    return found


def research_answers(index, related: bool = True) -> dict:
    """The research tools, on our own data and on Whoosh's words."""
    from indexer.research import concordance, corpus_view, report_cards, side_by_side, similar_passages, trend
    a, b, similarity = index.generation.near_duplicates.row_pairs()
    found = {"near": (a.tolist(), b.tolist(), similarity.tolist()),
             "kwic": concordance(index, "法治", every=True), "trend": trend(index, ["法治", "执法"]),
             "compare": side_by_side(index, "执法"), "cards": report_cards(index, ""), "corpus": corpus_view(index)}
    for seq in sorted(set(a.tolist()))[:20]:
        passage_id = index.generation.passage_id(seq)
        found["similar", passage_id] = similar_passages(index, passage_id, related=0)
    found.update(word_answers(index, related))
    return found


def word_answers(index, related: bool = True) -> dict:
    """The Whoosh word tools, more-like-this included: their statistics leave out
    the deleted documents Whoosh still holds (``research.words.LiveReader``), so
    they answer as a full rebuild."""
    from indexer.research import complete, did_you_mean, key_terms, similar_passages

    gen = index.generation
    if not gen.meta.get("words"):
        return {}
    found = {"did you mean": [did_you_mean(gen, t) for t in ("推动", "推近", "执发", "双随即", "监官")],
             "complete": [complete(gen, p, limit=20) for p in ("推", "执", "监", "双", "行政")],
             "key terms": {rid: key_terms(gen, index.get_report(rid)["text"]) for rid in gen.report_ids}}
    if related:
        found["related"] = {gen.passage_id(seq): similar_passages(index, gen.passage_id(seq))["related"]
                            for seq in range(0, len(gen.columns["report"]), 7)}
    return found


def whoosh_documents(index) -> dict:
    """passage id → the Whoosh document's fields, and the ids Whoosh finds for a word."""
    with index.generation.whoosh().searcher() as searcher:
        documents = {doc["passage_id"]: doc for doc in searcher.all_stored_fields()}
        facets = {pid: searcher.document(passage_id=pid) for pid in documents}
        if "content" in searcher.schema and searcher.schema["content"].analyzer is not None:
            from whoosh.qparser import QueryParser
            hits = searcher.search(QueryParser("content", searcher.schema).parse("法治"), limit=None)
            facets["法治"] = sorted(hit["passage_id"] for hit in hits)
    return facets


def assert_same_as_rebuild(folder: Path, index_dir: Path, tmp_path: Path, words: bool, related: bool = True) -> None:
    """``related``: also more-like-this (Whoosh's BM25F over its words)."""
    fresh = tmp_path / f"fresh-{len(list(tmp_path.glob('fresh-*')))}"
    build_index([folder], fresh, procs=1, words=words)
    updated, rebuilt = answers(index_dir, related), answers(fresh, related)
    assert updated.keys() == rebuilt.keys()
    for key in rebuilt:
        assert updated[key] == rebuilt[key], key
    assert any(r["total"] > 20 for k, r in rebuilt.items() if len(k) == 4)    # the mix finds things
    return rebuilt


def listed_segments(index_dir: Path) -> set[str]:
    meta = json.loads((index_dir / CURRENT / META).read_text(encoding="utf-8"))
    return {s["name"] for s in meta["segments"]}


def copy_paragraphs(source: Path, target: Path) -> None:
    """Another agency's report whose long paragraphs are ``source``'s, lightly edited."""
    paragraphs = [p for p in source.read_text(encoding="utf-8").split("\n") if len(p) > 80][:6]
    edited = [p.replace("。", "；", 1) for p in paragraphs]
    target.write_text("某某县审计局2023年法治政府建设年度报告\n\n一、主要举措和成效\n\n" + "\n\n".join(edited) + "\n",
                      encoding="utf-8")


def change_report(path: Path) -> None:
    """The same report (id kept), edited: a paragraph added and a word replaced."""
    text = path.read_text(encoding="utf-8").replace("推进", "推动", 3)
    path.write_text(text + "\n\n此外，全面推行“双随机、一公开”监管，开展行政执法案卷评查。\n", encoding="utf-8")


@pytest.mark.parametrize("words", [True, False])
def test_add_change_remove_answer_as_a_full_rebuild(tmp_path, words):
    folder, index_dir = tmp_path / "reports", tmp_path / "index"
    folder.mkdir()
    samples = sorted(SAMPLES.glob("*.txt"))
    for path in samples[:3]:
        shutil.copy(path, folder)
    build_index([folder], index_dir, procs=1, words=words, policy=NEVER_MERGE)
    first = listed_segments(index_dir)

    for path in samples[3:]:                       # add: the new files sort after the others
        shutil.copy(path, folder)
    copy_paragraphs(samples[0], folder / "001_copy.txt")     # near-identical to a passage already served
    summary = build_index([folder], index_dir, procs=1, words=words, policy=NEVER_MERGE)
    assert summary["update"]["reused"]["reports"] == 3 and summary["update"]["added"]["reports"] == 3
    assert first < listed_segments(index_dir)      # the old segment is reused, not rewritten
    assert len(assert_same_as_rebuild(folder, index_dir, tmp_path, words)["near"][0]) >= 6

    change_report(folder / samples[1].name)         # change one report: same id, new text
    summary = build_index([folder], index_dir, procs=1, words=words, policy=NEVER_MERGE)
    assert summary["update"]["added"]["reports"] == 1 and summary["update"]["deleted"]["reports"] == 1
    assert len(listed_segments(index_dir)) == 3
    assert_same_as_rebuild(folder, index_dir, tmp_path, words)

    (folder / samples[0].name).unlink()             # remove one
    summary = build_index([folder], index_dir, procs=1, words=words, policy=NEVER_MERGE)
    assert summary["update"]["added"]["reports"] == 0 and summary["update"]["deleted"]["reports"] == 1
    assert_same_as_rebuild(folder, index_dir, tmp_path, words)

    summary = build_index([folder], index_dir, procs=1, words=words, optimize=True)
    assert summary["update"]["merged"]["segments"] == 3 and len(listed_segments(index_dir)) == 1
    assert_same_as_rebuild(folder, index_dir, tmp_path, words)


def whoosh_lengths(index_dir: Path) -> tuple[int, int]:
    """Whoosh's segments and the live total length of ``content`` the word tools use."""
    from indexer.research.words import reader

    gen = open_index(index_dir).generation
    live = reader(gen)
    return len(live.leaf_readers()), live.field_length("content")


def test_whoosh_merging_its_own_segments_keeps_the_words_exact(tmp_path):
    """Whoosh merges its small segments at a commit, copying each document's
    length as one quantized byte; the total length (BM25F's average) stays a
    fresh build's, and so do the related passages."""
    folder, index_dir = tmp_path / "reports", tmp_path / "index"
    shutil.copytree(SAMPLES, folder)
    build_index([folder], index_dir, procs=1, words=True, policy=NEVER_MERGE)
    counts = []
    for step in range(7):        # small reports, each its own Whoosh segment until Whoosh merges them
        (folder / f"small-{step}.txt").write_text(
            f"某某{step}局2023年法治政府建设年度报告\n\n一、主要举措和成效\n\n推行双随机抽查，"
            f"规范行政执法行为，落实行政执法公示制度{'和法律顾问制度' * step}。\n\n开展普法宣传。\n",
            encoding="utf-8")
        if step:
            change_report(folder / f"small-{step - 1}.txt")   # deleted documents, merged away later
        build_index([folder], index_dir, procs=1, words=True, policy=NEVER_MERGE)
        segments, length = whoosh_lengths(index_dir)
        fresh = tmp_path / f"fresh-{step}"
        build_index([folder], fresh, procs=1, words=True)
        assert length == whoosh_lengths(fresh)[1], step
        counts.append(segments)
    assert any(b < a for a, b in zip(counts, counts[1:])), counts     # Whoosh did merge on its own
    assert_same_as_rebuild(folder, index_dir, tmp_path, words=True)


def first_sample_added_last(tmp_path: Path) -> tuple[Path, Path]:
    """(folder, index) of the samples in two segments: all but the first sample
    built, then the first one added (the file that sorts first comes last)."""
    folder, index_dir = tmp_path / "reports", tmp_path / "index"
    folder.mkdir()
    samples = sorted(SAMPLES.glob("*.txt"))
    for path in samples[1:]:
        shutil.copy(path, folder)
    build_index([folder], index_dir, procs=1, words=False)
    shutil.copy(samples[0], folder)
    build_index([folder], index_dir, procs=1, words=False, policy=NEVER_MERGE)
    return folder, index_dir


def test_a_file_added_before_the_others_keeps_the_rebuild_order(tmp_path):
    """Ties fall by the full rebuild's order (file order), not by segment: a
    file that sorts first, added last, still comes first."""
    folder, index_dir = first_sample_added_last(tmp_path)
    assert len(listed_segments(index_dir)) == 2
    assert_same_as_rebuild(folder, index_dir, tmp_path, words=False)


def test_lookups_are_kept_read_only_and_bounded(tmp_path, monkeypatch):
    """The postings of every segment, looked up once per term and kept: the same
    arrays again (read-only, so no query can change another's), the same answer
    as reading the lists anew, and a list too big for the cache not kept."""
    from indexer.store.reader.segment_order import SegmentPostings

    _, index_dir = first_sample_added_last(tmp_path)
    index = open_index(index_dir)
    try:
        postings = index.generation.postings
        assert isinstance(postings, SegmentPostings) and len(postings.parts) == 2
        first = postings.lookup("执法")
        again = postings.lookup("执法")
        assert all(a is b for a, b in zip(first, again)) and len(first[0]) > 10
        assert not any(array.flags.writeable for array in first)
        with pytest.raises(ValueError):
            first[0][0] = 0
        assert all(np.array_equal(a, b) for a, b in zip(first, postings._lookup("执法")))
        monkeypatch.setattr(SegmentPostings, "CACHE_BYTES", 8 * first[0].nbytes)   # "法" is far longer
        big = postings.lookup("法")
        assert len(big[0]) > len(first[0]) and postings.lookup("法")[0] is not big[0]
    finally:
        index.close()


def test_real_reports_updated_in_turn_answer_as_a_rebuild(tmp_path):
    source = shared_path("realworld")
    files = [p for p in list_report_files([source]) if p.suffix in (".txt", ".md", ".html", ".htm")][:45]
    assert len({p.name for p in files}) == len(files) == 45
    folder, index_dir = tmp_path / "reports", tmp_path / "index"
    folder.mkdir()
    for path in files[::3]:                        # every third: the rest arrive in between
        shutil.copy(path, folder)
    build_index([folder], index_dir, procs=1, words=False)
    for path in files[1::3]:
        shutil.copy(path, folder)
    build_index([folder], index_dir, procs=1, words=False, policy=NEVER_MERGE)
    change_report(folder / files[0].name)
    for path in files[3:12:3]:
        (folder / path.name).unlink()
    build_index([folder], index_dir, procs=1, words=False, policy=NEVER_MERGE)
    assert len(listed_segments(index_dir)) == 3
    assert_same_as_rebuild(folder, index_dir, tmp_path, words=False)


def test_tiered_policy_merges_a_crowded_tier_and_keeps_ids(tmp_path):
    folder, index_dir = tmp_path / "reports", tmp_path / "index"
    folder.mkdir()
    policy = TieredMergePolicy(segments_per_tier=2, max_merge_at_once=3)
    ids_before = None
    for n, path in enumerate(sorted(SAMPLES.glob("*.txt"))):
        shutil.copy(path, folder)
        summary = build_index([folder], index_dir, procs=1, words=False, policy=policy)
        assert len(listed_segments(index_dir)) <= 2
        if n == 2:
            assert summary["update"]["merged"] == {"segments": 3, "into": 1, "passages": summary["passages"],
                                                   "seconds": summary["update"]["merged"]["seconds"]}
        ids = open_index(index_dir).all_ids("", sort="date")
        assert ids_before is None or set(ids_before) < set(ids)     # merges keep every passage id
        ids_before = ids
    assert_same_as_rebuild(folder, index_dir, tmp_path, words=False)


def test_a_segment_goes_only_when_no_generation_lists_it(tmp_path):
    folder, index_dir = tmp_path / "reports", tmp_path / "index"
    shutil.copytree(SAMPLES, folder)
    build_index([folder], index_dir, procs=1, words=False)
    (folder / "extra.txt").write_text("某某局2023年法治政府建设年度报告\n\n推行双随机抽查。\n", encoding="utf-8")
    build_index([folder], index_dir, procs=1, words=False)
    for _ in range(3):
        build_index([folder], index_dir, procs=1, words=False, optimize=True)
        on_disk = {p.name for p in (index_dir / "segments").iterdir()}
        listed = set()
        for generation in index_dir.glob("gen-*"):
            listed |= {s["name"] for s in json.loads((generation / META).read_text(encoding="utf-8"))["segments"]}
        assert on_disk == listed
    assert len(listed_segments(index_dir)) == 1


_KILL = """
import os, signal, sys
from pathlib import Path
from indexer import build
from indexer.store.writer import generation_writer, update
target = generation_writer if sys.argv[3] == "update" else update
original = target.write_segment
def write_then_die(*args, **kwargs):
    original(*args, **kwargs)
    os.kill(os.getpid(), signal.SIGKILL)     # the segment written, no generation listing it swapped in
target.write_segment = write_then_die
build.build_index([Path(sys.argv[1])], Path(sys.argv[2]), procs=1, words=False, optimize=True)
"""


@pytest.mark.parametrize("stage", ["update", "merge"])
def test_killed_update_or_merge_leaves_the_previous_answers(tmp_path, stage):
    folder, index_dir = tmp_path / "reports", tmp_path / "index"
    shutil.copytree(SAMPLES, folder)
    build_index([folder], index_dir, procs=1, words=False)
    (folder / "extra.txt").write_text("某某局2023年法治政府建设年度报告\n\n推行双随机抽查。\n", encoding="utf-8")
    if stage == "merge":          # the update is served; the merge (optimize) after it dies
        build_index([folder], index_dir, procs=1, words=False, policy=NEVER_MERGE)
    serving, segments = (index_dir / CURRENT).resolve(), listed_segments(index_dir)
    before = answers(index_dir)
    done = subprocess.run([sys.executable, "-c", _KILL, str(folder), str(index_dir), stage], cwd=ROOT)
    assert done.returncode == -9
    if stage == "update":
        assert (index_dir / CURRENT).resolve() == serving
    assert listed_segments(index_dir) == segments      # (a merge's update, reusing all, may be served)
    assert answers(index_dir) == before
    orphans = {p.name for p in (index_dir / "segments").iterdir()} - listed_segments(index_dir)
    assert orphans                                   # the dead build's segment, listed by nobody
    build_index([folder], index_dir, procs=1, words=False)     # the next build clears it
    assert not orphans & {p.name for p in (index_dir / "segments").iterdir()}
    assert_same_as_rebuild(folder, index_dir, tmp_path, words=False)


def test_an_index_without_near_duplicates_updates_and_switching_them_on_rebuilds(tmp_path):
    folder, index_dir = tmp_path / "reports", tmp_path / "index"
    folder.mkdir()
    samples = sorted(SAMPLES.glob("*.txt"))
    shutil.copy(samples[0], folder)
    build_index([folder], index_dir, procs=1, words=False, near=False)
    copy_paragraphs(samples[0], folder / "001_copy.txt")
    summary = build_index([folder], index_dir, procs=1, words=False, near=False)
    assert summary["update"]["reused"]["reports"] == 1
    assert not (index_dir / CURRENT / "near_duplicates.npz").exists()
    summary = build_index([folder], index_dir, procs=1, words=False)       # switched on: built afresh
    assert summary["update"]["reused"]["reports"] == 0
    assert len(answers(index_dir)["near"][0]) >= 6
