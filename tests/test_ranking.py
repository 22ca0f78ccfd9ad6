"""Ranking tests that fail when a factor breaks (``python -m bench.mutants``
applies each broken factor and runs this file: every mutant must be caught).

- judged pairs on ../shared: for each factor, a pair of passages graded by hand
  (``../shared/relevance/qrels.tsv``) whose order that factor decides;
- each factor on a small made-up report: a rare word above a common one, a short
  passage above a long one with equal tf, tf 3 above tf 1, adjacent words above
  scattered ones, the title boost, content above a bare heading;
- BM25's value on a three-passage index, worked out by hand;
- the snippet window on the densest cluster;
- count queries: the answer of each count query of ../shared/real{,2}/queries.tsv in the top 3.
"""
from __future__ import annotations

import csv
import math

import numpy as np
import pytest

from bench.relevance_counts import count_rows, places
from conftest import shared_path
from index_helpers import build_and_open
from indexer.search.match import match_query
from indexer.search.query import parse_query
from indexer.search.rank import B, K1, bm25_scores
from indexer.search.snippets import find_spans, snippet

# (factor, query, better passage, worse passage): judged pairs whose order the factor decides
# (found by ``python -m bench.mutants --pairs``: the unbroken ranking has them right, the broken one wrong).
JUDGED_PAIRS = [
    ("idf", "重大行政决策 程序", "r2024-fd6fdc5894-0007", "r2021-11d47aa310-0006"),
    ("length normalisation", "行政复议 纠错", "r2022-72de5c0895-0025", "r2016-aa3f7d967f-0102"),
    ("BM25 sign", "双随机 抽查", "r2022-72de5c0895-0017", "r2017-86f2728c83-0014"),
    ("title boost", "卫生 监督", "r2022-72de5c0895-0017", "r2007-18b3487dea-0082"),
    ("heading boost", "疫情防控 依法", "r2021-62adfb969d-0003", "r2021-810a32584f-0096"),
    ("term frequency", "法律顾问", "r2023-0068f00af0-0008", "r2024-234ce371ec-0008"),
    ("proximity", "领导干部 学法", "r2022-af51af795f-0005", "r2022-af51af795f-0021"),
    ("length prior", "法律顾问", "r2022-3dbe0fe599-0005", "r2024-234ce371ec-0008"),
]


@pytest.fixture(scope="module")
def shared(opened_shared_index):
    return opened_shared_index


@pytest.fixture(scope="module")
def grades():
    path = shared_path("relevance", "qrels.tsv")
    with open(path, encoding="utf-8") as handle:
        rows = csv.DictReader(handle, delimiter="\t")
        return {(r["passage_id"], r["topic"]): int(r["grade"]) for r in rows}


@pytest.fixture(scope="module")
def topic_of():
    with open(shared_path("relevance", "topics.tsv"), encoding="utf-8") as handle:
        return {r["query"]: r["id"] for r in csv.DictReader(handle, delimiter="\t")}


@pytest.mark.parametrize("factor, query, better, worse", JUDGED_PAIRS, ids=[p[0] for p in JUDGED_PAIRS])
def test_judged_pair_in_order(shared, grades, topic_of, factor, query, better, worse):
    topic = topic_of[query]
    assert grades[better, topic] > grades[worse, topic], "the pair is judged that way"
    ids = shared.all_ids(query)
    assert ids.index(better) < ids.index(worse), f"{factor}: {better} should rank above {worse} for {query!r}"


# ---------------------------------------------------------------- made-up reports

FILLER = "全年各项工作有序推进，制度建设不断完善，工作机制持续健全，队伍素质稳步提升。"   # 37 characters, no query word


def _report(title: str, paragraphs: list[str]) -> str:
    return "\n\n".join([title, *paragraphs, "某某局", "2024年3月1日"]) + "\n"


@pytest.fixture(scope="module")
def toy(tmp_path_factory):
    """Two made-up reports whose passages each isolate one factor."""
    folder = tmp_path_factory.mktemp("toy")
    (folder / "a.txt").write_text(_report("甲市乙局2023年法治政府建设年度报告", [
        "一、主要举措和成效",
        # rare (稀有词语) against common (常见词语): the common word is in every other passage
        "本局推进稀有词语工作。" + FILLER * 2,
        "本局推进常见词语工作。" + FILLER * 2,
        # tf 3 against tf 1, same length
        "复议复议复议工作有序推进。" + FILLER * 2,
        "复议工作有序推进以及其他。" + FILLER * 2,
        # short against long, tf 1 each
        "落实听证制度，" + FILLER * 2,
        "落实听证制度，" + FILLER * 6,
        # adjacent against scattered
        "严格落实执法公示要求。" + FILLER * 2 + "常见词语。",
        "执法人员" + FILLER * 2 + "持续推进政务公示。常见词语。",
        # a number for the count word against the word itself, in a shorter passage
        "全年开展会前学法12次。" + FILLER * 3,
        "会前学法次数逐年增加。" + FILLER * 2,
        "二、营商环境",
        "营商环境工作。" + FILLER * 3 + "常见词语。",
    ]), encoding="utf-8")
    (folder / "b.txt").write_text(_report("丙县丁局2023年度工作总结", [
        "一、总体情况",
        "营商环境工作。" + FILLER * 3 + "常见词语。",
        "常见词语。" + FILLER * 2,
        "常见词语。" + FILLER * 2,
    ]), encoding="utf-8")
    index = build_and_open([folder], tmp_path_factory.mktemp("toy-index") / "index")
    yield index
    index.close()


def _texts(index, query: str) -> list[str]:
    gen = index.generation
    ids = index.all_ids(query)
    by_id = {gen.passage_id(seq): gen.texts[seq] for seq in range(len(gen.columns["report"]))}
    return [by_id[i] for i in ids]


def _first_of(index, query: str, *starts: str) -> str:
    """Which of the passages starting with ``starts`` ranks first for ``query``."""
    for text in _texts(index, query):
        for start in starts:
            if text.startswith(start):
                return start
    raise AssertionError(f"none of {starts} found for {query!r}")


def test_rare_word_above_common_word(toy):
    assert _first_of(toy, "稀有词语 OR 常见词语", "本局推进稀有", "本局推进常见") == "本局推进稀有"


def test_tf_three_above_tf_one(toy):
    assert _first_of(toy, "复议", "复议复议复议", "复议工作有序") == "复议复议复议"


def test_short_above_long_with_equal_tf(toy):
    texts = _texts(toy, '"听证制度"')
    assert len(texts) == 2 and len(texts[0]) < len(texts[1])


def test_adjacent_words_above_scattered(toy):
    assert _first_of(toy, "执法 公示", "严格落实执法公示", "执法人员") == "严格落实执法公示"


def test_number_above_count_word(toy):
    """``会前学法 次数`` asks how many: 会前学法12次 answers it; 会前学法次数 (shorter,
    and the query's text whole) only names it."""
    assert _first_of(toy, "会前学法 次数", "全年开展会前学法", "会前学法次数") == "全年开展会前学法"


def test_title_boost(toy):
    """营商环境 in a passage of each report, alike but for the report title: the
    passage of the report whose title holds it ranks first... only when the title does."""
    texts = _texts(toy, "法治政府 OR 营商环境")
    first = next(t for t in texts if t.startswith("营商环境工作"))
    gen = toy.generation
    seq = next(s for s in range(len(gen.columns["report"])) if gen.texts[s] == first)
    assert "法治政府" in gen.reports[int(gen.columns["report"][seq])]["title"]


def test_content_above_bare_heading(toy):
    """The heading 二、营商环境 holds the words in few characters; the passage under it comes first."""
    texts = _texts(toy, "营商环境")
    assert texts.index("二、营商环境") > max(i for i, t in enumerate(texts) if t.startswith("营商环境工作"))


# ---------------------------------------------------------------- BM25 by hand


@pytest.fixture(scope="module")
def three(tmp_path_factory):
    """One report, three passages (each 80+ characters, so no length prior applies)."""
    folder = tmp_path_factory.mktemp("three")
    (folder / "r.txt").write_text("\n\n".join([
        "监督检查" + FILLER * 2 + "监督检查。",                      # tf 2
        "开展监督检查。" + FILLER * 4,                              # tf 1, longer
        FILLER * 3,                                                  # tf 0
    ]) + "\n", encoding="utf-8")
    index = build_and_open([folder], tmp_path_factory.mktemp("three-index") / "index")
    yield index
    index.close()


def test_bm25_value_by_hand(three):
    gen = three.generation
    query = parse_query("监督检查")
    matches = match_query(gen.postings, gen.norm_array, query)
    scores, _ = bm25_scores(gen, matches, query)
    total = len(gen.columns["report"])
    lengths = gen.columns["length"].astype(float)
    average = lengths.mean()
    assert gen.average_length == pytest.approx(average)
    idf = math.log(1 + (total - 2 + 0.5) / (2 + 0.5))
    expected = []
    for seq in matches.docs.tolist():
        tf = gen.norm[seq].count("监督检查")
        expected.append(idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * lengths[seq] / average)))
    assert sorted(gen.norm[s].count("监督检查") for s in matches.docs.tolist()) == [1, 2]
    assert np.allclose(scores, expected, rtol=1e-6), (scores, expected)


# ---------------------------------------------------------------- snippets


def test_snippet_window_on_the_densest_cluster():
    text = ("稽查工作开始。" + FILLER * 3 + "这一段连续开展稽查、稽查复核与稽查回访，稽查结果公开。" + FILLER * 3)
    shown = snippet(text, ["稽查"])
    assert shown["cut_before"], "the window is not the passage's start"
    assert len(shown["spans"]) >= 4
    assert "稽查复核与稽查回访" in shown["text"]


# ---------------------------------------------------------------- count queries

@pytest.fixture(scope="module")
def real_and_real2(tmp_path_factory):
    """One index of the 80 reports of ../shared/real and real2: the count rows' answers
    compete with every other report's numbers."""
    folders = [shared_path("real", "reports"), shared_path("real2", "reports")]
    index = build_and_open(folders, tmp_path_factory.mktemp("real-and-real2") / "index")
    yield index
    index.close()


def _marks_a_number(index, hit: dict, query: str) -> bool:
    return any(c.isdigit() for a, b in find_spans(hit["text"], index.query_terms(query)) for c in hit["text"][a:b])


def test_count_query_answers_in_top_three_of_their_report(real_and_real2):
    """Each count query's answer (``会前学法 次数`` → 会前学法37次) in the first three
    passages of its report, and its number marked in the snippet."""
    rows = count_rows(shared_path())
    assert len(rows) == 7, [r["query"] for r in rows]
    for row in rows:
        own, _overall = places(real_and_real2, row)
        assert own is not None and own <= 3, (row["query"], own)
        report = real_and_real2.search(f'"{row["phrase"]}"')["hits"][0]["report_id"]
        found = real_and_real2.search(row["query"], {"report": [report]}, per_page=3)["hits"][own - 1]
        assert _marks_a_number(real_and_real2, found, row["query"]), row["query"]


def test_count_query_answers_lead_the_whole_index(real_and_real2):
    """Across all 80 reports, each count query's answer is in the top 3, but for
    ``党组 学习次数``, whose answer (局党组…先后14次组织学习, 455 characters) other
    reports beat with 党组…学习N次 closer together: there, only passages that answer
    the count too (every word, a number marked) come before it, within the top 10.
    ``法律知识讲座 次数``'s answer (组织2次法律知识专题讲座) lacks 知识讲座: its number
    must count in a near match."""
    for row in count_rows(shared_path()):
        _own, place = places(real_and_real2, row)
        if row["query"] != "党组 学习次数":
            assert place is not None and place <= 3, (row["query"], place)
            continue
        assert place is not None and place <= 10, (row["query"], place)
        before = real_and_real2.search(row["query"], per_page=place - 1)["hits"]
        assert all(h["match"] == "all" and _marks_a_number(real_and_real2, h, row["query"]) for h in before), \
            [(h["match"], h["text"][:40]) for h in before]


def test_count_word_quoted_is_literal(shared):
    """Unquoted, 次数 also matches 37次; quoted, only the word 次数."""
    loose = shared.search("会前学法 次数")
    strict = shared.search('会前学法 "次数"', per_page=100)
    assert not loose["partial"] and any("会前学法37次" in h["text"] for h in loose["hits"][:3])
    assert all("次数" in h["text"] for h in strict["hits"] if h["match"] == "all")
    assert not any("会前学法37次" in h["text"] for h in strict["hits"] if h["match"] == "all")
