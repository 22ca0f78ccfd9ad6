"""The research tools on real indexes: the bundled samples, two reports made
here (one published on time, one late), and ../shared (skipping without it).

Every count is checked against something computed another way: a substring
scan of the reader's own passages, or the search with a year filter."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from conftest import SAMPLES, shared_path
from index_helpers import build_and_open, passages_by_id, squash
from indexer.errors import SearchError
from indexer.model import CATEGORIES
from indexer.report.corpus import read_reports
from indexer.research import card_of, complete, concordance, corpus_view, did_you_mean, key_terms, report_cards, trend

REPORT = """{agency}2022年法治政府建设年度报告

一、主要举措和成效
全面推行“双随机、一公开”监管，全年检查120家单位，办结案件35件。
二、存在的不足和原因
执法人员业务能力有待提高。
三、党政主要负责人履行推进法治建设第一责任人职责情况
局主要负责人带头学法。
四、下一年度工作安排
继续推进依法行政。

{agency}
{date}
"""


@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    index = build_and_open([SAMPLES], tmp_path_factory.mktemp("research-samples"))
    yield index
    index.close()


@pytest.fixture(scope="module")
def dated(tmp_path_factory):
    """An on-time report (15 March of the next year) and a late one (30 June)."""
    folder = tmp_path_factory.mktemp("dated-src")
    (folder / "ontime.txt").write_text(REPORT.format(agency="某市司法局", date="2023年3月15日"), encoding="utf-8")
    (folder / "late.txt").write_text(REPORT.format(agency="某县市场监督管理局", date="2023年6月30日"),
                                     encoding="utf-8")
    index = build_and_open([folder], tmp_path_factory.mktemp("dated-index"))
    yield index
    index.close()


def scan_occurrences(folders: list[Path], phrase: str) -> Counter:
    """Occurrences per passage id, by a plain substring count of the squashed text."""
    needle = squash(phrase)
    return Counter({p.id: squash(p.text).count(needle) for r in read_reports(folders).reports
                    for p in r.passages if needle in squash(p.text)})


def every_line(index, q: str, **options) -> list[dict]:
    """All the lines, page by page (so paging is exercised as well)."""
    first = concordance(index, q, per_page=20, **options)
    lines = [line for n in range(1, first["pages"] + 1)
             for line in concordance(index, q, page=n, per_page=20, **options)["lines"]]
    assert lines == concordance(index, q, every=True, **options)["lines"]
    return lines


# --- concordance ------------------------------------------------------------

@pytest.mark.parametrize("phrase", ["执法", "双随机", "行政执法", "2023年", "法治政府建设", "培训"])
def test_concordance_lines_are_the_occurrences_a_substring_scan_finds(samples, phrase):
    expected = scan_occurrences([SAMPLES], phrase)
    lines = every_line(samples, f'"{phrase}"', width=8)
    assert expected, phrase
    assert Counter(line["passage_id"] for line in lines) == expected
    assert concordance(samples, f'"{phrase}"')["total"] == sum(expected.values())


def test_each_line_is_the_passage_text_around_the_match(samples):
    passages = passages_by_id([SAMPLES])
    lines = every_line(samples, "执法", width=12)
    for line in lines:
        text = passages[line["passage_id"]][1].text
        assert "url" not in line        # the library hands out ids; the edges build URLs (indexer.render)
        assert squash(line["match"]) == "执法"
        assert text[line["position"] - len(line["left"]):].startswith(line["left"] + line["match"] + line["right"])
        assert len(line["left"]) == min(12, line["position"])


def test_concordance_pages_are_exact_and_sorts_reorder_the_same_lines(samples):
    lines = every_line(samples, "执法")
    pages = [concordance(samples, "执法", page=n, per_page=7)["lines"] for n in range(1, 30)]
    paged = [line for page in pages for line in page]
    assert [(x["passage_id"], x["position"]) for x in paged] == [(x["passage_id"], x["position"]) for x in lines]
    for sort in ("left", "right", "agency", "year"):
        resorted = every_line(samples, "执法", sort=sort)
        assert sorted((x["passage_id"], x["position"]) for x in resorted) == \
            sorted((x["passage_id"], x["position"]) for x in lines)
    rights = [squash(x["right"]) for x in every_line(samples, "执法", sort="right", width=30)]
    assert rights == sorted(rights)
    years = [x["year"] for x in every_line(samples, "执法", sort="year")]
    assert years == sorted(years, reverse=True)


def test_concordance_takes_the_search_filters(samples):
    lines = every_line(samples, "执法", filters={"year": ["2024"]})
    assert lines and {line["year"] for line in lines} == {2024}
    with pytest.raises(SearchError):
        concordance(samples, "执法", width=0)
    with pytest.raises(SearchError):
        concordance(samples, "")


# --- trends -----------------------------------------------------------------

@pytest.mark.parametrize("q", ["执法", "双随机", "培训 考试"])
def test_trend_counts_equal_the_search_with_a_year_filter(samples, q):
    result = trend(samples, [q])
    series = result["series"][0]
    assert result["years"] == [2022, 2023, 2024]
    for point in series["points"]:
        year = {"year": [str(point["year"])]}
        # The full matches, as total counts them (all_ids also lists the near misses).
        ids = [hit["passage_id"] for hit in samples.iter_hits(q, filters=year)]
        assert point["passages"] == samples.search(q, filters=year)["total"] == len(ids)
        assert point["reports"] == len({pid.rsplit("-", 1)[0] for pid in ids})
        assert point["reports_in_year"] == len({pid.rsplit("-", 1)[0] for pid in samples.all_ids("", filters=year)})
    assert sum(p["passages"] for p in series["points"]) == samples.search(q)["total"]


def test_trend_splits_by_province_and_compares_queries(samples):
    result = trend(samples, ["执法", "双随机"], split="province", top=1)
    assert result["split"] == "province" and len(result["series"]) == 2
    groups = result["series"][0]["groups"]
    assert [g["value"] for g in groups] == ["广东省", "其他"]      # 4 reports in 广东, 1 in 青海
    assert sum(g["reports"] for g in groups) == result["series"][0]["reports"]
    with pytest.raises(SearchError):
        trend(samples, ["a", "b", "c", "d", "e", "f"])


def test_trend_on_the_real_world_texts_counts_what_the_search_counts(tmp_path):
    from indexer.build import build_index
    from indexer.search import open_index

    folder = shared_path("realworld")
    build_index([folder], tmp_path / "index", procs=1, words=False)   # trends need no jieba words
    index = open_index(tmp_path / "index")
    try:
        series = trend(index, ["法治"])["series"][0]
        busy = [p for p in series["points"] if p["passages"]][:6]
        assert busy
        for point in busy:
            assert point["passages"] == index.search("法治", filters={"year": [str(point["year"])]})["total"]
    finally:
        index.close()


# --- words --------------------------------------------------------------------

def test_did_you_mean_finds_the_word_one_character_away(samples):
    assert samples.search("双随即")["total"] == 0
    assert did_you_mean(samples.generation, "双随即")[0]["word"] == "双随机"
    assert did_you_mean(samples.generation, "量子引力") == []


def test_completion_gives_vocabulary_words_with_the_prefix_most_used_first(samples):
    words = complete(samples.generation, "执法")
    assert words and all(w["word"].startswith("执法") and w["word"] != "执法" for w in words)
    counts = [w["passages"] for w in words]
    assert counts == sorted(counts, reverse=True)
    for word in words[:3]:     # the count is how many passages use the word (jieba may cut it in more)
        assert 0 < word["passages"] <= samples.search(f'"{word["word"]}"')["total"]


def test_key_terms_are_words_of_the_report(samples):
    report = samples.get_report("r2022-72de5c0895")
    terms = key_terms(samples.generation, report["text"])
    assert len(terms) >= 5
    assert all(squash(t["word"]) in squash(report["text"]) for t in terms)


# --- report cards -------------------------------------------------------------

def test_card_contents_match_the_section_categories_of_the_samples(samples):
    reports = read_reports([SAMPLES]).reports
    cards = {c["report_id"]: c for c in report_cards(samples)}
    assert set(cards) == {r.id for r in reports}
    for report in reports:
        present = {p.category for p in report.passages}
        card = cards[report.id]
        assert {c for c, has in card["contents"].items() if has} == present
        assert card["missing"] == [c for c in CATEGORIES[:4] if c not in present]
        assert card["passages"] == len(report.passages)
        assert card["length"] == sum(len(squash(p.text)) for p in report.passages)


def test_an_on_time_and_a_late_report_are_told_apart(dated):
    cards = {c["agency"]: c for c in report_cards(dated)}
    ontime, late = cards["某市司法局"], cards["某县市场监督管理局"]
    assert (ontime["status"], ontime["deadline"], ontime["days_late"]) == ("on_time", "2023-04-01", 0)
    assert (late["status"], late["days_late"]) == ("late", 90)
    assert ontime["missing"] == [] and ontime["figures"] == 2
    # A later deadline makes both on time; the corpus view counts the late one.
    assert {c["status"] for c in report_cards(dated, deadline="07-01")} == {"on_time"}
    view = corpus_view(dated)
    assert view["years"] == [dict(view["years"][0], year=2022, reports=2, late=1, dated=2, share_late=0.5)]
    assert card_of(dated, late["report_id"])["status"] == "late"
    with pytest.raises(SearchError):
        report_cards(dated, deadline="13-40")


# --- similar passages ----------------------------------------------------------

COPIED = ("我局坚持以习近平新时代中国特色社会主义思想为指导，深入贯彻落实党中央、国务院关于法治政府建设的决策部署，"
          "把法治政府建设纳入全局工作总体布局，与业务工作同部署、同推进、同落实，全年召开专题会议{n}次，研究解决重点难点问题。")
UNRELATED = ("今年以来，全区共受理行政复议申请二十八件，依法审结二十六件，纠错率较上年有所提高；行政应诉案件中，"
             "行政机关负责人出庭应诉率达到百分之百，败诉案件同比下降，复议决定书全部在网上公开接受监督。")


@pytest.fixture(scope="module")
def copied(tmp_path_factory):
    """The same paragraph in two reports (one figure changed), an unrelated one in a third."""
    folder = tmp_path_factory.mktemp("copied-src")
    for name, agency, extra in [("a.txt", "甲市司法局", COPIED.format(n=4)), ("b.txt", "乙县司法局", COPIED.format(n=6)),
                                ("c.txt", "丙区司法局", UNRELATED)]:
        text = REPORT.format(agency=agency, date="2023年3月1日").replace("局主要负责人带头学法。", extra)
        (folder / name).write_text(text, encoding="utf-8")
    index = build_and_open([folder], tmp_path_factory.mktemp("copied-index"))
    yield index
    index.close()



def test_a_copied_paragraph_is_found_and_an_unrelated_one_is_not(copied):
    from indexer.research import similar_passages

    first, second = sorted(copied.all_ids('"同部署、同推进、同落实"'))
    found = similar_passages(copied, first)
    assert [n["passage_id"] for n in found["near_identical"]] == [second]
    assert found["near_identical_reports"] == 1 and found["near_identical"][0]["similarity"] >= 0.8
    changes = [(run["op"], run["text"]) for run in found["near_identical"][0]["diff"] if run["op"] != "equal"]
    assert sorted(changes) == sorted([("delete", "4"), ("insert", "6")]) or sorted(changes) == \
        sorted([("delete", "6"), ("insert", "4")])
    [lonely] = copied.all_ids('"行政复议申请二十八件"')
    assert similar_passages(copied, lonely)["near_identical"] == []
    # The short passages every report shares (headings, stock lines) are not "copied".
    cards = {c["agency"]: c["copied_passages"] for c in report_cards(copied)}
    assert cards == {"甲市司法局": 1, "乙县司法局": 1, "丙区司法局": 0}
    assert {c["agency"] for c in report_cards(copied, copied=True)} == {"甲市司法局", "乙县司法局"}
    assert sorted(i for c in report_cards(copied) for i in c["copied_passage_ids"]) == [first, second]


def test_related_passages_come_from_other_reports(copied):
    from indexer.research import similar_passages

    [lonely] = copied.all_ids('"行政复议申请二十八件"')
    related = similar_passages(copied, lonely)["related"]
    assert all(not r["passage_id"].startswith(lonely.rsplit("-", 1)[0]) for r in related)


def test_related_passages_score_as_whoosh_scores_every_match(samples):
    """The numpy sum of the key terms' BM25F (``research.related``) ranks as
    Whoosh's own search of the same query does when it scores every match
    (no top-N shortcut): the same passages, the same scores, ties by passage."""
    from whoosh.query import Or, Term

    from indexer.research import similar_passages
    from indexer.research.similar import gen_searcher, seq_of
    from indexer.research.words import FIELD

    gen = samples.generation
    compared = 0
    for seq in range(0, len(gen.columns["report"]), 37):
        passage_id = gen.passage_id(seq)
        ours = similar_passages(samples, passage_id, related=5)
        exclude = {seq, *(seq_of(gen, p["passage_id"]) for p in ours["near_identical"])}
        with gen_searcher(gen) as searcher:
            terms = searcher.key_terms_from_text(FIELD, gen.texts[seq], numterms=12)
            query = Or([Term(FIELD, word, boost=weight) for word, weight in terms])
            mask = Or([Term("report_id", passage_id.rsplit("-", 1)[0])]
                      + [Term("passage_id", gen.passage_id(o)) for o in sorted(exclude)])
            hits = searcher.search(query, limit=None, mask=mask)
            whoosh = sorted((-round(hit.score, 9), seq_of(gen, hit["passage_id"])) for hit in hits)[:5]
        assert [(r["passage_id"], r["score"]) for r in ours["related"]] == \
            [(gen.passage_id(row), round(-score, 2)) for score, row in whoosh]
        compared += bool(whoosh)
    assert compared >= 5


TIED = "落实行政执法公示制度，规范执法全过程记录，开展案卷评查。"


def test_related_passages_tied_in_score_come_in_passage_order_after_an_update(tmp_path):
    """Thirty reports share one paragraph (equal scores); Whoosh would keep the
    lowest document numbers, which an update gives to the reports read first,
    not to the first in passage order."""
    from indexer.build import build_index
    from indexer.research import similar_passages
    from indexer.search import open_index

    folder = tmp_path / "reports"
    folder.mkdir()
    names = [f"r{n:02d}.txt" for n in range(30)]

    def write(name: str, agency: str, paragraph: str) -> None:
        (folder / name).write_text(f"{agency}2022年法治政府建设年度报告\n\n一、主要举措和成效\n\n{paragraph}\n",
                                   encoding="utf-8")

    write("s.txt", "甲市司法局", "全面推行行政执法公示制度、执法全过程记录制度、重大执法决定法制审核制度，评查行政执法案卷。")
    for name in names[10:]:
        write(name, f"{name[1:3]}号县司法局", TIED)
    build_index([folder], tmp_path / "index", procs=1)
    for name in names[:10]:                       # read last, first in passage order
        write(name, f"{name[1:3]}号县司法局", TIED)
    build_index([folder], tmp_path / "index", procs=1)
    build_index([folder], tmp_path / "fresh", procs=1)
    answers = []
    for where in ("index", "fresh"):
        index = open_index(tmp_path / where)
        [source] = index.all_ids('"重大执法决定法制审核制度"')
        answers.append(similar_passages(index, source, related=3)["related"])
        index.close()
    assert answers[0] == answers[1]
    assert [r["title"][:7] for r in answers[0]] == ["00号县司法局", "01号县司法局", "02号县司法局"]
    assert len({r["score"] for r in answers[0]}) == 1


# --- side by side -------------------------------------------------------------

def test_side_by_side_shows_every_passage_of_the_category(samples):
    from indexer.research import side_by_side

    reports = read_reports([SAMPLES]).reports
    result = side_by_side(samples, "", category="问题")
    assert result["category"] == "存在的不足和原因" and result["total"] == 5
    for column in result["reports"]:
        report = next(r for r in reports if r.id == column["report_id"])
        expected = [p.id for p in report.passages if p.category == "存在的不足和原因"]
        assert [p["passage_id"] for p in column["passages"]] == expected
    narrowed = side_by_side(samples, '"执法人员"', category="存在的不足和原因")
    matched = {p["passage_id"] for c in narrowed["reports"] for p in c["passages"] if p["matched"]}
    assert matched == set(samples.all_ids('"执法人员"', filters={"section": ["问题"]}))
    with pytest.raises(SearchError):
        side_by_side(samples, "", category="不存在的章节")


def levenshtein(a: str, b: str) -> int:
    """Edit distance by the textbook dynamic programme (the ground truth)."""
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        previous, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (x != y))
    return row[-1]


def test_one_edit_neighbours_equal_a_scan_of_the_vocabulary(samples):
    """The deletion index finds exactly the vocabulary words at edit distance 1
    (Whoosh's own ``terms_within`` raises TypeError on some of these terms)."""
    from indexer.research.words import FIELD, neighbours, reader

    gen = samples.generation
    lexicon = [w.decode("utf-8") if isinstance(w, bytes) else w for w in reader(gen).lexicon(FIELD)]
    words = [w for w in lexicon if len(w) >= 2 and not w.isascii()]
    probes = ["双随即", "执发", "法治政府建", "行政执法人", "谁执法谁普", "卫生监", "依法行证"] + words[100:400:10]
    for term in probes:
        expected = {w for w in words if levenshtein(term, w) == 1}
        assert neighbours(gen).of(term) == expected, term
