"""Phrase postings: every list read back from its compressed blocks is the
brute-force answer, whatever the block size."""
from __future__ import annotations

import random

import numpy as np
import pytest

from conftest import SAMPLES
from indexer.store.format import gram_lists
from indexer.store.format import postings
from indexer.analysis import normalize
from indexer.report.corpus import read_reports


def overlapping(text: str, term: str) -> int:
    """The definition of a term's frequency: its occurrences, overlapping ones included."""
    return sum(text.startswith(term, at) for at in range(len(text)))


@pytest.fixture(scope="module")
def norm_texts() -> list[str]:
    return [normalize(p.text) for r in read_reports([SAMPLES]).reports for p in r.passages]


@pytest.mark.parametrize("block,buckets,share", [(7, 5, 0.02), (4096, 16, 0.02), (4096, 1, 0.0), (4096, 16, 1.0)])
def test_lists_match_a_brute_force_scan(norm_texts, tmp_path, monkeypatch, block, buckets, share):
    # share 0.0: every bigram in two passages is common (most trigrams posted); 1.0: none is.
    monkeypatch.setattr(gram_lists, "BLOCK", block)
    monkeypatch.setattr(gram_lists, "_BUCKETS", buckets)
    monkeypatch.setattr(postings, "COMMON_SHARE", share)
    builder = postings.PostingsBuilder(tmp_path)
    for start in range(0, len(norm_texts), 50):                  # fed in chunks, like a build
        builder.add(norm_texts[start:start + 50])
    builder.save()
    assert not list(tmp_path.glob("*.tmp"))                      # spill files removed
    index = postings.Postings(tmp_path)
    rng = random.Random(5)
    # Drawn at random places of the text, so common phrases come up as often as they occur.
    places = [(text, n) for text in norm_texts for n in range(1, 7) if len(text) > n]
    grams = set()
    for text, n in rng.sample(places, 600):
        at = rng.randrange(len(text) - n)
        grams.add(text[at:at + n])
    settled_long = found_long = 0
    for gram in sorted(grams) + ["法", "执法", "双随机一公开", "00", "法治政府建设"]:
        docs, tfs, known = index.lookup(gram)
        expected = {n: min(overlapping(text, gram), 255) for n, text in enumerate(norm_texts) if gram in text}
        assert set(expected) <= set(docs.tolist()), gram                    # nothing missed
        settled = {d: t for d, t, k in zip(docs.tolist(), tfs.tolist(), known.tolist()) if k}
        assert all(expected.get(d) == t for d, t in settled.items()), gram  # what the postings settle is true
        if len(gram) <= 2:
            assert settled == expected, gram                                 # one list, exactly
        if len(gram) > 2:
            settled_long, found_long = settled_long + len(settled), found_long + len(expected)
    # Common trigrams settle most long terms' passages without reading them; none without.
    assert (settled_long > found_long / 2) == (share < 1.0), (settled_long, found_long)
    assert index.lookup("〇〇〇不存在")[0].size == 0
    index.close()


def test_block_files_are_smaller_than_plain_arrays(norm_texts, tmp_path):
    builder = postings.PostingsBuilder(tmp_path)
    builder.add(norm_texts)
    builder.save()
    count = int(np.load(tmp_path / "postings.offsets.npy")[-1])
    stored = (tmp_path / "postings.docs.blosc").stat().st_size + (tmp_path / "postings.tfs.blosc").stat().st_size
    assert count > 20_000 and stored < count * 5 / 3      # uint32 + uint8 each: at least 3x smaller


def test_no_passages_make_empty_postings(tmp_path):
    postings.PostingsBuilder(tmp_path).save()
    index = postings.Postings(tmp_path)
    assert index.lookup("法")[0].size == 0 and index.lookup("法治政府")[0].size == 0
    index.close()


@pytest.mark.parametrize("term", ["00", "000", "哈哈哈", "abab", "aba", "双随机", "法", "法治法"])
def test_counter_counts_overlapping_occurrences(term):
    texts = ["2000年20000元", "哈哈哈哈哈", "abababa", "双随机双随机", "法治法治法", "", "无关的文字"]
    assert [postings.counter(term)(t) for t in texts] == [overlapping(t, term) for t in texts]
    assert postings.counter("00")("2000") == 2 and "2000".count("00") == 1     # str.count would say 1


def test_samples_hold_an_overlapping_gram(norm_texts):
    """The check above of the stored tfs is not vacuous: ``00`` overlaps in the samples."""
    assert any(overlapping(t, "00") > t.count("00") for t in norm_texts)
