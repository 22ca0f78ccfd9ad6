"""Near-identical passages (``store.format.near_duplicates``, ``store.writer.near_pairs``)
on copies of the bundled real reports: the pairs the index answers with are
exactly those a brute-force comparison of every two passages finds, the file
grows with the distinct texts rather than with the square of the copies, and
an update answers as a full rebuild."""
from __future__ import annotations

import itertools
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from index_helpers import build_and_open
from indexer.analysis import normalize
from indexer.store.format.near_duplicates import (BAND_COUNT, MIN_CHARS, THRESHOLD, NearDuplicates, band_shape,
                                                  jaccard, load_pairs, shingles, split_keys)

SAMPLES = Path(__file__).resolve().parents[1] / "indexer" / "samples"
COPIES = 12


def _copies(folder: Path) -> Path:
    """Two bundled reports, each copied ``COPIES`` times under other agencies:
    every third copy with one character of each long paragraph changed (near,
    not identical), one copy repeating a paragraph (a report's own repeats are
    not copies)."""
    folder.mkdir()
    sources = sorted(SAMPLES.glob("*.txt"))[:2]
    for s, source in enumerate(sources):
        text = source.read_text(encoding="utf-8")
        (folder / source.name).write_text(text, encoding="utf-8")
        for n in range(COPIES):
            copy = text.replace("局", f"第{n}局", 1)
            if n % 3 == 1:   # a change near the end of each long paragraph: similar, not equal
                copy = re.sub(r"(?m)^(.{60,}?)(.)(。?)$", lambda m: m[1] + "另" + m[3], copy)
            if n == 2:
                paragraph = max(copy.splitlines(), key=len)
                copy += "\n" + paragraph + "\n" + paragraph + "\n"
            (folder / f"copy-{s}-{n}.txt").write_text(copy, encoding="utf-8")
    return folder


def brute_force(gen) -> set[tuple[int, int, float]]:
    """Every (a, b, similarity) of passages of two reports that share a band
    key and whose shingles are at least ``THRESHOLD`` alike: every pair tried."""
    bands, _ = split_keys(gen.bands())
    norm = [normalize(gen.texts[seq]) for seq in range(len(gen.columns["report"]))]
    report = gen.columns["report"]
    rows = [seq for seq, text in enumerate(norm) if len(text) >= MIN_CHARS]
    grams = {seq: shingles(norm[seq]) for seq in rows}
    found = set()
    for a, b in itertools.combinations(rows, 2):
        if report[a] != report[b] and (bands[a] == bands[b]).any():
            similarity = jaccard(grams[a], grams[b])
            if similarity >= THRESHOLD:
                found.add((a, b, round(similarity, 4)))
    return found


def answered(gen) -> set[tuple[int, int, float]]:
    a, b, similarity = gen.near_duplicates.row_pairs()
    return {(x, y, round(float(s), 4)) for x, y, s in zip(a.tolist(), b.tolist(), similarity.tolist())}


@pytest.fixture(scope="module")
def copied(tmp_path_factory):
    folder = _copies(tmp_path_factory.mktemp("near") / "reports")
    index = build_and_open([folder], tmp_path_factory.mktemp("near-index"))
    yield folder, index
    index.close()


def test_the_pairs_are_those_every_two_passages_compared_give(copied):
    _, index = copied
    gen = index.generation
    truth = brute_force(gen)
    assert len(truth) > 1_000            # the copies make many pairs
    assert answered(gen) == truth
    assert set(gen.near_duplicates.rows().tolist()) == {x for pair in truth for x in pair[:2]}


def test_the_file_grows_with_distinct_texts_not_with_copies(copied):
    _, index = copied
    gen = index.generation
    stored = len(load_pairs(gen.path)["key_a"]) // 2
    keys = gen.text_keys()
    distinct = len(np.unique(keys[keys != 0]))
    assert stored <= distinct < len(brute_force(gen)) / 10


def test_a_passage_lists_its_copies_in_other_reports_most_similar_first(copied):
    _, index = copied
    gen = index.generation
    truth = brute_force(gen)
    seq = max({x for pair in truth for x in pair[:2]}, key=lambda s: sum(s in p[:2] for p in truth))
    listed = gen.near_duplicates.of(seq)
    expected = sorted(((b if a == seq else a), s) for a, b, s in truth if seq in (a, b))
    assert sorted((row, round(s, 4)) for row, s in listed) == expected
    assert [s for _, s in listed] == sorted((s for _, s in listed), reverse=True)
    assert all(gen.columns["report"][row] != gen.columns["report"][seq] for row, _ in listed)


def test_an_update_of_copies_answers_as_a_full_rebuild(copied, tmp_path):
    folder, _ = copied
    changed = tmp_path / "reports"
    shutil.copytree(folder, changed)
    updated_dir = tmp_path / "updated"
    build_and_open([changed], updated_dir).close()
    (changed / "copy-0-3.txt").unlink()                        # a copy removed
    text = (changed / "copy-1-4.txt").read_text(encoding="utf-8")
    (changed / "copy-1-4.txt").write_text(text.replace("法治", "法制"), encoding="utf-8")   # one changed
    shutil.copy(changed / "copy-0-5.txt", changed / "copy-0-new.txt")                    # one more copy
    updated = build_and_open([changed], updated_dir)
    rebuilt = build_and_open([changed], tmp_path / "rebuilt")
    try:
        assert answered(updated.generation) == answered(rebuilt.generation) == brute_force(rebuilt.generation)
        assert (updated.generation.near_duplicates.rows().tolist()
                == rebuilt.generation.near_duplicates.rows().tolist())
    finally:
        updated.close(), rebuilt.close()


def test_a_file_of_passage_pairs_written_before_texts_is_read_as_it_is(tmp_path):
    np.savez(tmp_path / "near_duplicates.npz", a=np.array([1, 3]), b=np.array([3, 1]),
             similarity=np.array([0.9, 0.9], dtype=np.float32))
    pairs = NearDuplicates(tmp_path)
    assert pairs.of(1) == [(3, 0.8999999761581421)] and pairs.rows().tolist() == [1, 3]


def test_the_band_count_read_without_datasketch_is_datasketchs():
    assert band_shape()[0] == BAND_COUNT


def test_a_changed_text_hash_is_refused_when_read_never_answered(copied, tmp_path):
    from indexer.errors import IndexDamaged
    from indexer.search import open_index

    folder, _ = copied
    index_dir = tmp_path / "index"
    build_and_open([folder], index_dir).close()
    bands_file = next((index_dir / "segments").glob("*/minhash_bands.npy"))
    keys = np.load(bands_file)
    keys[-1, -1] ^= np.uint64(1)                 # one text's hash: its copies would be lost
    with open(bands_file, "r+b") as out:         # the same size: only the checksum can tell
        out.seek(bands_file.stat().st_size - 8)
        out.write(keys[-1, -1].tobytes())
    with pytest.raises(IndexDamaged, match="minhash_bands.npy"):   # the open reads them for the copied facet
        open_index(index_dir).generation.near_duplicates.rows()
