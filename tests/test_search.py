"""Search over real indexes: exact phrases, ranking, facets, snippets, query language."""
from __future__ import annotations

import pytest

from conftest import SAMPLES, shared_path
from index_helpers import build_and_open, passages_by_id, scan, squash
from indexer.render import hit as render_hit
from indexer.search import SearchError

SAMPLE_PHRASES = [
    "法", "双随机", "谁执法谁普法", "证照分离", "放管服", "双随机、一公开", "亲自抓", "100%",
    "2023年", "2023 年", "法治政府建设", "三项制度", "行政处罚", "执法", "医疗机构", "卫生健康",
    "习近平法治思想", "民法典", "第一责任人", "“双公示”", "2022", "、", "普法", "《中医药法》",
    "疫情防控", "依法行政", "12·4国家宪法日", "3204宗", "广东省", "（一）", "一是", "湟中",
]
REALWORLD_PHRASES = [
    "法", "12345", "100%", "改革开放", "国内生产总值", "社会主义", "一带一路", "放管服",
    "双随机", "人民代表大会", "告知承诺制", "最多跑一次", "证照分离", "GDP", "5G", "2023年",
    "高质量发展", "、", "“放管服”", "营商环境", "乡村振兴", "中华人民共和国", "第一", "1954",
    "，", "互联网+", "依法治国", "政府工作报告", "双随机、一公开", "谁执法谁普法",
]

# Natural queries written for known passages of the samples: (query, passage that should come first).
NATURAL = [
    ("医师执业注册 受理", "r2022-0177ae4c5d-0011"),
    ("信访案件 办结回复", "r2022-0177ae4c5d-0016"),
    ("权责清单 两证合一", "r2022-0177ae4c5d-0010"),
    ("政务公开栏 群众监督", "r2022-0177ae4c5d-0014"),
    ("人大代表建议 政协委员提案", "r2022-0177ae4c5d-0015"),
    ("重大决策合法性审查 集体讨论", "r2024-bd6ec47248-0010"),
    ("发放宣传资料 悬挂横幅 法治宣传活动", "r2024-bd6ec47248-0013"),
    ("双公示 7日内公示", "r2024-bd6ec47248-0016"),
    ("市场监管领域双随机抽查 完成率", "r2024-bd6ec47248-0019"),
    ("案卷评查 二合一", "r2024-bd6ec47248-0020"),
    ("普法宣传方式 创新性不足", "r2024-bd6ec47248-0023"),
    ("证照分离 优化准入服务", "r2022-72de5c0895-0014"),
    ("非法行医 非法医疗广告 巡查", "r2022-72de5c0895-0018"),
    ("三重一大 议事决策", "r2022-72de5c0895-0020"),
    ("法律顾问 政府合同", "r2022-72de5c0895-0023"),
    ("行政执法证 换证", "r2022-72de5c0895-0026"),
    ("刑事司法衔接 无证行医", "r2022-72de5c0895-0028"),
    ("行政机关负责人出庭应诉 行政复议", "r2022-72de5c0895-0034"),
    ("广州涉疫人员分流接收隔离", "r2022-72de5c0895-0039"),
    ("中医药法 网络直播 健康素养大讲堂", "r2023-0068f00af0-0017"),
    ("述职述廉述法 考核", "r2023-0068f00af0-0011"),
    ("村卫生站 诊所 校验", "r2022-af51af795f-0009"),
    ("核酸采样队伍 流调", "r2022-af51af795f-0015"),
    ("医德医风 医患关系", "r2022-af51af795f-0010"),
    ("宣传栏 健康教育 咨询", "r2023-0068f00af0-0018"),
]


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    return build_and_open([SAMPLES], tmp_path_factory.mktemp("samples") / "index")


@pytest.fixture(scope="module")
def realworld(tmp_path_factory):
    folder = shared_path("realworld")
    return folder, build_and_open([folder], tmp_path_factory.mktemp("realworld") / "index")


@pytest.mark.parametrize("phrase", SAMPLE_PHRASES)
def test_quoted_phrase_equals_substring_scan_on_samples(index, phrase):
    expected = scan([SAMPLES], phrase)
    found = index.all_ids(f'"{phrase}"')
    assert len(found) == len(set(found))
    assert set(found) == expected


def test_phrase_split_by_a_page_break_is_found(index):
    assert "r2022-af51af795f-0014" in index.all_ids('"亲自抓"')


@pytest.mark.parametrize("phrase", REALWORLD_PHRASES)
def test_quoted_phrase_equals_substring_scan_on_realworld(realworld, phrase):
    folder, index = realworld
    expected = scan([folder], phrase)
    assert set(index.all_ids(f'"{phrase}"')) == expected


def test_phrase_checks_are_not_vacuous(index):
    counts = {p: len(scan([SAMPLES], p)) for p in SAMPLE_PHRASES}
    assert sum(1 for c in counts.values() if c) >= 28
    assert counts["法"] > 100 and counts["双随机、一公开"] >= 3


def test_phrase_is_width_and_space_insensitive(index):
    assert index.all_ids('"２０２３年"') == index.all_ids('"2023 年"') == index.all_ids('"2023年"')
    assert index.all_ids('"法治政府建設"') == index.all_ids('"法治政府建设"')


def test_unquoted_word_is_found_inside_longer_words(index):
    ids = set(index.all_ids("行政处罚"))
    assert ids == scan([SAMPLES], "行政处罚")
    # the passages that hold it only inside 《行政处罚法》 are found too
    inside = {i for i in scan([SAMPLES], "行政处罚法") if "《行政处罚法》" in passages_by_id([SAMPLES])[i][1].text}
    assert inside and inside <= ids


@pytest.mark.parametrize("query,expected", NATURAL)
def test_natural_query_ranks_its_passage_in_top_three(index, query, expected):
    assert expected in index.all_ids(query)[:3]


def test_natural_queries_rank_their_passage_first_nine_times_in_ten(index):
    firsts = sum(index.all_ids(q)[:1] == [pid] for q, pid in NATURAL)
    assert firsts >= 0.9 * len(NATURAL)


def test_all_words_must_match(index):
    by_id = passages_by_id([SAMPLES])
    result = index.search("疫情防控 核酸", per_page=100)
    full = [h["passage_id"] for h in result["hits"] if h["match"] == "all"]
    assert len(full) == result["total"] > 0
    for pid in full:
        text = squash(by_id[pid][1].text)
        assert "疫情防控" in text and "核酸" in text
    # The rest (listed after, counted apart) miss exactly one of the two.
    for pid in index.all_ids("疫情防控 核酸")[len(full):]:
        text = squash(by_id[pid][1].text)
        assert ("疫情防控" in text) != ("核酸" in text)


def test_partial_matches_when_no_passage_has_every_word(index):
    result = index.search("双随机 核酸采样队伍")
    assert result["partial"] is True and result["total"] > 0
    assert index.search("双随机 抽查")["partial"] is False


def test_passage_with_all_words_ranks_above_partial(index):
    ids = index.all_ids('双随机 完成率 "隔离酒店储备"')
    by_id = passages_by_id([SAMPLES])
    first = squash(by_id[ids[0]][1].text)
    assert "双随机" in first and "完成率" in first


def test_exact_phrase_occurrence_ranks_above_scattered_words(index):
    top = index.all_ids("推进法治政府建设")[0]
    assert "推进法治政府建设" in squash(passages_by_id([SAMPLES])[top][1].text)


def test_or_and_not(index):
    a, b = set(index.all_ids('"证照分离"')), set(index.all_ids('"双公示"'))
    assert set(index.all_ids('"证照分离" OR "双公示"')) == a | b
    assert set(index.all_ids("证照分离 | 双公示")) == a | b
    law = set(index.all_ids("执法"))
    assert set(index.all_ids("执法 -普法")) == law - set(index.all_ids("普法"))
    assert set(index.all_ids("执法 NOT 普法")) == law - set(index.all_ids("普法"))


def test_chinese_quotes_are_phrase_marks(index):
    assert index.all_ids("“双随机、一公开”") == index.all_ids('"双随机、一公开"')
    assert set(index.all_ids("“双随机、一公开”")) == scan([SAMPLES], "双随机、一公开")


def test_field_filters_in_the_query(index):
    result = index.search("培训 agency:阳江 year:2022 section:问题", per_page=100)
    assert result["filters"] == {"agency": ["阳江"], "year": ["2022"], "section": ["问题"]}
    for hit in result["hits"]:
        assert hit["agency"] == "阳江市卫生健康局" and hit["year"] == 2022
        assert hit["category"] == "存在的不足和原因"


# An odd query, the plain query it is read as, and what the notes say (one with
# nothing to search for is refused: see below).
ODD_QUERIES = [
    ('"双随机', '"双随机"', "引号没有配对"), ("双随机 OR", "双随机", "运算符"),
    ("双随机 AND 抽查", "双随机 抽查", None), ("a:b:c", '"abc"', None), ("<script>", '"script"', None),
]


@pytest.mark.parametrize("query,reading,note", ODD_QUERIES)
def test_odd_queries_get_a_reading_not_a_traceback(index, query, reading, note):
    result = index.search(query, per_page=100)
    assert result["total"] + result["near_total"] == len(index.all_ids(reading)) == len(index.all_ids(query))
    assert index.all_ids(query) == index.all_ids(reading)
    assert result["filters"] == {} and result["partial"] is False
    if note:
        assert any(note in n for n in result["notes"]), result["notes"]
    else:
        assert result["notes"] == []


def test_a_filter_alone_is_a_filter(index):
    result = index.search("year:2022", per_page=100)
    assert result["filters"] == {"year": ["2022"]} and result["terms"] == []
    assert index.all_ids("year:2022") == index.all_ids("", filters={"year": ["2022"]})
    assert result["total"] == sum(1 for r, _ in passages_by_id([SAMPLES]).values() if r.year == 2022) > 0


def test_request_rules_are_the_library_checks():
    """One definition, which the web app calls too: sorts, id patterns."""
    from indexer.api import NotFound, check_passage_id, check_report_id, check_sort

    assert [check_sort(s) for s in ("relevance", "date", "date_asc")] == ["relevance", "date", "date_asc"]
    with pytest.raises(SearchError) as error:
        check_sort("alphabetical")
    assert error.value.status == 400 and "alphabetical" in error.value.message and error.value.hint
    for good in ("r2022-0177ae4c5d", "r0-0177ae4c5d", "r2022-0177ae4c5d-2"):
        assert check_report_id(good) == good
        assert check_passage_id(good + "-0001") == good + "-0001"
    for bad in ("r2022-0177AE4C5D", "r2022-0177ae4c5d-0001x", "../r2022-0177ae4c5d", "", "nope"):
        with pytest.raises(NotFound) as error:
            check_report_id(bad)
        assert error.value.status == 404 and "r2022-0177ae4c5d" in error.value.hint
        with pytest.raises(NotFound):
            check_passage_id(bad)


@pytest.mark.parametrize("query", ["OR", "NOT", "-", "*", ":", "agency:", "“", "((((", "\\", "OR OR |"])
def test_a_query_with_nothing_to_search_says_so(index, query):
    """Not every passage as if that were an answer: a message saying why."""
    with pytest.raises(SearchError) as error:
        index.search(query)
    assert error.value.status == 400 and "没有可检索的词语" in error.value.message


def test_too_long_query_gets_a_clear_message(index):
    with pytest.raises(SearchError) as error:
        index.search("法" * 2000)
    assert error.value.status == 400 and "过长" in error.value.message


@pytest.mark.parametrize("filters", [{"year": ["abc"]}, {"section": ["不存在的部分"]}, {"colour": ["red"]}])
def test_bad_filters_get_a_clear_message(index, filters):
    with pytest.raises(SearchError) as error:
        index.search("法", filters=filters)
    assert error.value.status == 400


def test_facet_counts_equal_the_full_result_set(index):
    by_id = passages_by_id([SAMPLES])
    result = index.search("执法", per_page=1)
    ids = index.all_ids("执法")
    assert result["total"] == len(ids) > 10
    for name, key in [("agency", lambda r, p: r.agency), ("province", lambda r, p: r.province),
                      ("year", lambda r, p: str(r.year)), ("section", lambda r, p: p.category)]:
        expected: dict[str, int] = {}
        for pid in ids:
            value = key(*by_id[pid])
            expected[value] = expected.get(value, 0) + 1
        assert {f["value"]: f["count"] for f in result["facets"][name]} == expected, name


def test_filters_and_across_fields_or_within_one(index):
    by_id = passages_by_id([SAMPLES])
    both = index.all_ids("执法", filters={"agency": ["阳江市卫生健康局", "潮州市湘桥区卫生健康局"]})
    assert {by_id[p][0].agency for p in both} == {"阳江市卫生健康局", "潮州市湘桥区卫生健康局"}
    narrowed = index.all_ids("执法", filters={"agency": ["阳江市卫生健康局", "潮州市湘桥区卫生健康局"],
                                             "section": ["成效"]})
    assert narrowed and set(narrowed) < set(both)
    assert all(by_id[p][1].category == "主要举措和成效" for p in narrowed)


def test_facets_of_a_filtered_field_show_the_other_values(index):
    result = index.search("执法", filters={"agency": ["阳江市卫生健康局"]})
    counts = {f["value"]: f["count"] for f in result["facets"]["agency"]}
    assert counts["阳江市卫生健康局"] == result["total"]
    assert len(counts) > 1          # the others stay visible, to add with OR


def test_snippets_mark_every_occurrence_and_escape(index):
    hit = render_hit(index.search('"双随机"')["hits"][0])
    assert "<mark>双随机</mark>" in hit["snippet"]
    visible = hit["snippet"].replace("<mark>", "").replace("</mark>", "")
    assert "<" not in visible
    assert visible.count("双随机") == hit["snippet"].count("<mark>")
    assert 40 <= len(visible) <= 170
    assert hit["url"] == f"/p/{hit['passage_id']}"


def test_hits_carry_the_documented_keys(index):
    data = index.search("双随机")["hits"][0]
    hit = render_hit(data)
    for key in ("passage_id", "report_id", "title", "agency", "year", "section", "text", "snippet", "url"):
        assert key in hit
    assert list(hit) == list(data) + ["url"]


def test_the_library_returns_snippet_data_and_no_url(index):
    """The HTML and the URL are made at the edge (indexer.render), not in the search."""
    hit = index.search('"双随机"')["hits"][0]
    assert "url" not in hit
    snippet = hit["snippet"]
    assert set(snippet) == {"text", "spans", "cut_before", "cut_after"}
    assert snippet["spans"] and all(snippet["text"][s:e] == "双随机" for s, e in snippet["spans"])
    assert snippet["text"] in hit["text"]
    assert set(index.search("双随机")["facets"]) == {"agency", "agency_kind", "agency_level", "province", "year", "section", "copied",
                                 "doc_type"}


def test_pages_partition_the_result_set(index):
    ids = index.all_ids("法")
    pages = [h["passage_id"] for page in (1, 2, 3) for h in index.search("法", page=page, per_page=10)["hits"]]
    assert pages == ids[:30]


def test_sort_by_date_puts_newest_reports_first(index):
    hits = index.search("普法", sort="date", per_page=100)["hits"]
    keys = [(bool(h["date"]), h["date"] or "", h["year"] or 0) for h in hits]
    assert keys == sorted(keys, reverse=True)
    assert any(h["date"] for h in hits) and not hits[-1]["date"]   # undated last, not on 31 Dec


def test_passage_and_report_lookup(index):
    pid = index.all_ids('"亲自抓"')[0]
    whole, passage = index.get_report_of(pid)
    assert passage["id"] == pid and "亲自抓" in squash(passage["text"])
    report = index.get_report(whole["id"])
    assert any(p["id"] == pid for p in report["passages"])
    for bad in ("../../etc/passwd", "r2022-0177ae4c5d-9999", "nope"):
        with pytest.raises(SearchError) as error:
            index.get_report_of(bad)
        assert error.value.status == 404


def test_proximity_span_of_or_terms_of_different_lengths():
    """The window is recomputed from each clause's current occurrence: a long
    term of an OR clause passed over must not keep the window wide."""
    from indexer.search.proximity import _shortest_span

    text = "ab" + "xc" + "y" * 96
    assert _shortest_span(text, [[text[:100], "b"], ["c"]]) == 3       # "bxc"
    assert _shortest_span("双随机一公开抽查", [["双随机"], ["抽查"]]) == 8
    assert _shortest_span("双随机", [["双随机"], ["抽查"]]) is None
