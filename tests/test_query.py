"""indexer.search.query: the query language, and the query edits front ends use
instead of re-parsing a query (the web app took filters out with its own regex)."""
from __future__ import annotations

import pytest

from indexer.api import (
    FIELD_ALIASES,
    FIELDS,
    MAX_QUERY,
    SearchError,
    check_query,
    without_filter,
    without_quotes,
)
from indexer.search.query import QueryError, count_pattern, parse_query, with_counts_literal, without_groups


def test_filters_words_phrases_and_operators():
    query = parse_query('双随机 "一公开" OR 抽查 -疫情 机关:阳江 YEAR:2022 section：问题')
    assert query.filters == {"agency": ["阳江"], "year": ["2022"], "section": ["问题"]}
    assert [[t.norm for t in clause] for clause in query.clauses] == [["双随机"], ["一公开", "抽查"]]
    assert [t.norm for t in query.excluded] == ["疫情"]


@pytest.mark.parametrize("q,name,value,expected", [
    ("执法 agency:阳江", "agency", "阳江", "执法"),
    ("执法 机关:阳江 year:2022", "agency", "阳江", "执法 year:2022"),      # an alias of the field
    ("单位：阳江 执法", "agency", "阳江", "执法"),                            # full-width colon
    ("AGENCY:阳江 执法", "agency", "阳江", "执法"),                           # field names ignore case
    ("执法 agency:阳江 agency:阳江", "agency", "阳江", "执法"),               # every copy
    ("执法 agency:阳江市", "agency", "阳江", "执法 agency:阳江市"),           # another value stays
    ("执法 year:2022", "agency", "2022", "执法 year:2022"),                   # another field stays
    ('"agency:阳江" 执法', "agency", "阳江", '"agency:阳江" 执法'),           # a phrase is no filter
    ("执法 -agency:阳江", "agency", "阳江", "执法"),                          # read as a filter: taken out
])
def test_without_filter_takes_out_what_the_parser_reads_as_that_filter(q, name, value, expected):
    assert without_filter(q, name, value) == expected
    assert value not in parse_query(expected).filters.get(name, [])


def test_without_quotes_turns_phrases_into_words():
    assert without_quotes('“双随机、一公开” "证照分离"  「告知」『承诺』＂制＂') == "双随机、一公开 证照分离 告知 承诺 制"
    assert without_quotes("双随机 抽查") == "双随机 抽查"


def test_every_alias_names_a_field():
    assert set(FIELD_ALIASES.values()) <= set(FIELDS)


def test_the_length_limit_is_one_check():
    assert check_query("法" * MAX_QUERY) == "法" * MAX_QUERY
    with pytest.raises(SearchError) as error:
        check_query("法" * (MAX_QUERY + 1))
    assert isinstance(error.value, QueryError)
    assert error.value.status == 400 and "过长" in error.value.message and error.value.hint
    with pytest.raises(QueryError):
        parse_query("法" * (MAX_QUERY + 1))


def test_a_lone_character_is_never_glued_across_a_stopword():
    terms = lambda q: [t.norm for clause in parse_query(q).clauses for t in clause]
    assert terms("门和各级") == ["门", "各级"]
    assert terms("不足和原") == ["不足", "原"]
    assert "双" not in terms("双随机抽查") and "".join(terms("双随机抽查")) == "双随机抽查"


@pytest.fixture(scope="module")
def samples_index(tmp_path_factory):
    from conftest import SAMPLES
    from index_helpers import build_and_open

    index = build_and_open([SAMPLES], tmp_path_factory.mktemp("query-samples"))
    yield index
    index.close()


def test_text_pasted_from_a_passage_finds_that_passage(samples_index):
    """Every window of a passage, typed unquoted, finds the passage it was cut
    from: its words are pieces of what was typed, never pieces glued over a
    dropped stopword."""
    from indexer.analysis.normalize import normalize

    gen = samples_index.generation
    tried = 0
    for seq in range(0, len(gen.columns["report"]), 5):
        text = gen.texts[seq]
        for start in range(0, max(1, len(text) - 8), 23):
            window = text[start:start + 7]
            if not any(c in window for c in "的和与及在是对等") or not window.strip():
                continue
            query = parse_query(window)
            norm = normalize(window)
            assert all(t.norm in norm for clause in query.clauses for t in clause), window
            assert gen.passage_id(seq) in samples_index.all_ids(window), window
            tried += 1
    assert tried > 50


@pytest.mark.parametrize("q, found, not_found", [
    ("执法 案件总数", "全年共办理行政处罚案件123件", "第3件"),
    ("培训 批次", "分3批组织执法人员培训", "批准"),
    ("普法 宣传频次", "开展普法宣传12次", "一次性"),
    ("法治讲座 场数", "举办法治讲座4场", "现场"),
    ("普法 期数", "举办培训班6期", "期间"),
    ("法治宣传 场次", "开展法治宣传活动20余场", "会场"),         # a round figure: 20余场, 600多万条
    ("罚没 金额", "罚没款50余万元", "金额"),
])
def test_a_quantity_word_also_matches_a_number_with_its_unit(q, found, not_found):
    """The words asking how many (``总数``, ``批次``, ``频次`` …) match a number with
    one of their units, never the unit alone; quoted, the word is literal."""
    counted = [t for clause in parse_query(q).clauses for t in clause if t.units]
    assert len(counted) == 1
    pattern = count_pattern(counted[0].units)
    assert pattern.search(found) and not pattern.search(not_found)
    assert not any(t.units for clause in parse_query(q.replace(" ", ' "', 1) + '"').clauses for t in clause)


@pytest.mark.parametrize("q, literal", [
    ("会前学法 次数", '会前学法 "次数"'),
    ("党组学习次数 year:2023", '党组 学习 "次数" year:2023'),
    ('"次数" 学法 -培训', '"次数" 学法 -培训'),
    ("双随机 抽查", "双随机 抽查"),
    ("同句(行政 复议", "同句(行政 复议"),
])
def test_count_words_quoted_are_literal_and_the_rest_stays_as_typed(q, literal):
    assert with_counts_literal(q) == literal      # (an unclosed 同句( is the search's to report)
    if literal != q:
        assert not any(t.units for clause in parse_query(literal).clauses for t in clause)


@pytest.mark.parametrize("q, anywhere", [
    ("同句(行政复议 纠错)", "行政复议 纠错"),
    ('"行政复议 纠错"~句 year:2023', "行政复议 纠错 year:2023"),
    ("-同句(执法 培训) 法治", "法治"),
    ('同句("(一)" 纠错)', '"(一)" 纠错'),
    ("双随机  抽查", "双随机  抽查"),
    ("同句(行政 复议", "同句(行政 复议"),
])
def test_a_groups_words_asked_anywhere_and_a_negated_group_taken_out(q, anywhere):
    assert without_groups(q) == anywhere
    if anywhere != q:
        found = parse_query(anywhere)
        assert not found.groups and not found.excluded_groups
