"""Phrase postings: every list read back from its compressed blocks is the
brute-force answer, whatever the block size."""
from __future__ import annotations

import random

import numpy as np
import pytest

from conftest import SAMPLES
from indexer.store import postings
from indexer.analysis import normalize
from indexer.report.corpus import read_reports


def overlapping(text: str, term: str) -> int:
    """The definition of a term's frequency: its occurrences, overlapping ones included."""
    return sum(text.startswith(term, at) for at in range(len(text)))


@pytest.fixture(scope="module")
def norm_texts() -> list[str]:
    return [normalize(p.text) for r in read_reports([SAMPLES]).reports for p in r.passages]


@pytest.mark.parametrize("block,buckets", [(7, 5), (4096, 16), (4096, 1)])
def test_lists_match_a_brute_force_scan(norm_texts, tmp_path, monkeypatch, block, buckets):
    monkeypatch.setattr(postings, "BLOCK", block)
    monkeypatch.setattr(postings, "_BUCKETS", buckets)
    builder = postings.PostingsBuilder(tmp_path)
    for start in range(0, len(norm_texts), 50):                  # fed in chunks, like a build
        builder.add(norm_texts[start:start + 50])
    builder.save()
    assert not list(tmp_path.glob("*.tmp"))                      # spill files removed
    index = postings.Postings(tmp_path)
    grams = {text[i:i + n] for text in norm_texts for n in (1, 2) for i in range(len(text) - n + 1)}
    rng = random.Random(5)
    for gram in rng.sample(sorted(grams), 400) + ["法", "执法", "双随机一公开", "00"]:
        docs, tfs, exact = index.candidates(gram)
        expected = [n for n, text in enumerate(norm_texts) if gram in text]
        if exact:
            assert docs.tolist() == expected, gram
            assert tfs.tolist() == [min(overlapping(norm_texts[n], gram), 255) for n in expected], gram
        else:
            assert set(expected) <= set(docs.tolist()), gram
    assert index.candidates("〇〇〇不存在")[0].size == 0
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
    assert index.candidates("法")[0].size == 0 and index.candidates("法治政府")[0].size == 0
    index.close()


@pytest.mark.parametrize("term", ["00", "000", "哈哈哈", "abab", "aba", "双随机", "法", "法治法"])
def test_counter_counts_overlapping_occurrences(term):
    texts = ["2000年20000元", "哈哈哈哈哈", "abababa", "双随机双随机", "法治法治法", "", "无关的文字"]
    assert [postings.counter(term)(t) for t in texts] == [overlapping(t, term) for t in texts]
    assert postings.counter("00")("2000") == 2 and "2000".count("00") == 1     # str.count would say 1


def test_samples_hold_an_overlapping_gram(norm_texts):
    """The check above of the stored tfs is not vacuous: ``00`` overlaps in the samples."""
    assert any(overlapping(t, "00") > t.count("00") for t in norm_texts)
