"""同句(…) / 同段(…) groups and title: / 标题: conditions (issue 23, item 5).

Checked against a scan of ../shared made here, not by the search code: a
passage's stored text is split into sentences at 。！？；!?; and line breaks,
each sentence folded as ``index_helpers.squash`` folds, and the words looked for
as substrings; report titles the same way."""
from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from index_helpers import squash
from indexer.cli import main
from indexer.search import open_index, without_filter
from indexer.search.query import PARAGRAPH, PASSAGE, SENTENCE, QueryError, parse_query

_SENTENCE_END = re.compile(r"(?<=[。！？；!?;｡])|[\r\n]")


def words(clauses) -> list[list[str]]:
    return [[t.norm for t in clause] for clause in clauses]


# -- the query language ------------------------------------------------------------------

def test_a_group_requires_its_words_and_says_where():
    query = parse_query("同句(行政复议 纠错) year:2022")
    assert words(query.clauses) == [["行政复议"], ["纠错"]]
    assert [[(g.scope, words(g.clauses)) for g in entry] for entry in query.groups] == \
        [[(SENTENCE, [["行政复议"], ["纠错"]])]]
    assert query.filters == {"year": ["2022"]}
    # The other spellings: full-width brackets, a quoted run with ~句 / ~段, a run cut by jieba.
    for q in ("同句（行政复议 纠错）", '"行政复议 纠错"~句', "同句(行政复议纠错)"):
        assert [[g.scope for g in e] for e in parse_query(q).groups] == [[SENTENCE]], q
    assert parse_query('"行政复议 纠错"～段').groups[0][0].scope == PARAGRAPH
    assert parse_query('同句("双随机" OR 抽查 纠错)').groups[0][0].clauses[0][0].quoted


def test_or_and_not_combine_groups_with_words():
    query = parse_query("同句(行政复议 纠错) OR 撤销 -同段(复议 诉讼)")
    assert [[g.scope for g in e] for e in query.groups] == [[SENTENCE, PASSAGE]]
    assert words(query.clauses) == [["行政复议", "纠错", "撤销"]]     # any of them: the group decides
    assert [g.scope for g in query.excluded_groups] == [PARAGRAPH]
    query = parse_query("诉讼 OR 同句(行政复议 纠错) 执法")
    assert [[g.scope for g in e] for e in query.groups] == [[PASSAGE, SENTENCE]]
    assert words(query.clauses) == [["诉讼", "行政复议", "纠错"], ["执法"]]


def test_title_conditions():
    query = parse_query('title:营商环境 标题：“法治 政府” -TITLE:卫生 执法 title:甲 OR title:乙')
    assert words(query.titles) == [["营商环境"], ["法治政府"], ["甲", "乙"]]
    assert [t.norm for t in query.excluded_titles] == ["卫生"]
    assert words(query.clauses) == [["执法"]] and not query.filters
    assert parse_query("title:营商环境").titles          # a title alone is a search
    mixed = parse_query("执法 title:甲 OR 培训")           # OR joins title to title only, and says so
    assert words(mixed.clauses) == [["执法"], ["培训"]] and "OR" in mixed.notes[0]
    assert [g.scope for g in parse_query("NOT 同句(复议 纠错) 执法").excluded_groups] == [SENTENCE]


@pytest.mark.parametrize("q,says", [
    ("同句(", "缺少右括号"), ("同句(行政复议 纠错", "缺少右括号"), ("执法 同段（复议", "缺少右括号"),
    ("同句()", "没有可检索的词语"), ("同句(  、 )", "没有可检索的词语"), ('"  "~句', "没有可检索的词语"),
    ("同句(-纠错 复议)", "排除词"), ("同句(year:2022 复议)", "筛选条件"), ("同句(同段(a b) c)", "不能再套"),
])
def test_a_malformed_group_is_a_one_line_error(q, says):
    with pytest.raises(QueryError) as error:
        parse_query(q)
    assert says in error.value.message and "\n" not in error.value.message
    assert error.value.status == 400


# -- exact, against a scan of ../shared --------------------------------------------------

@pytest.fixture(scope="module")
def index(opened_shared_index):
    return opened_shared_index


@pytest.fixture(scope="module")
def scan(index):
    """(passage id, folded passage, folded sentences, folded report title) of every passage."""
    gen = index.generation
    rows = []
    for seq, text in enumerate(gen.texts):
        report = gen.reports[int(gen.columns["report"][seq])]
        rows.append((gen.passage_id(seq), squash(text), [squash(s) for s in _SENTENCE_END.split(text)],
                     squash(report["title"] or "")))
    return rows


def walk(index, q: str, per_page: int = 10) -> list[str]:
    """Every listed passage id, page by page."""
    first = index.search(q, per_page=per_page)
    seen = [h["passage_id"] for h in first["hits"]]
    for page in range(2, first["pages"] + 1):
        seen += [h["passage_id"] for h in index.search(q, per_page=per_page, page=page)["hits"]]
    assert len(seen) == len(set(seen)) == first["total"] + first["near_total"], q
    return seen


def together(words_: list[str], parts: list[str]) -> bool:
    return any(all(w in part for w in words_) for part in parts)


SENTENCE_QUERIES = [("执法 培训", ["执法", "培训"]), ("依法 行政", ["依法", "行政"]),
                    ("法治 考核", ["法治", "考核"]), ("行政执法 公示", ["行政执法", "公示"]),
                    ("重大行政决策 程序", ["重大行政决策", "程序"]), ('"双随机" 抽查', ["双随机", "抽查"])]


@pytest.mark.parametrize("q,needed", SENTENCE_QUERIES)
def test_same_sentence_lists_exactly_the_passages_a_scan_finds(index, scan, q, needed):
    assert words(parse_query(q).clauses) == [[w] for w in needed]
    in_sentence = {pid for pid, _, sentences, _ in scan if together(needed, sentences)}
    in_passage = {pid for pid, text, _, _ in scan if together(needed, [text])}
    assert in_sentence, q
    for spelled in (f"同句({q})", '"' + q.replace('"', "") + '"~句'):
        listed = walk(index, spelled)
        assert set(listed) == in_sentence, spelled
    assert set(walk(index, f"同段({q})")) == in_passage     # 同段: the passage (a paragraph or its piece)


def test_sentences_narrow_what_a_passage_holds(index, scan):
    """The scan itself tells the two apart on these words, so the tests above can fail."""
    narrower = [q for q, needed in SENTENCE_QUERIES
                if {p for p, _, s, _ in scan if together(needed, s)} < {p for p, t, _, _ in scan if together(needed, [t])}]
    assert len(narrower) >= 4
    assert index.search("同句(执法 培训)")["total"] < index.search("执法 培训")["total"]


def test_groups_combine_with_words_or_not_and_filters(index, scan):
    rows = {pid: (text, sentences) for pid, text, sentences, _ in scan}
    sentence = {p for p, (t, s) in rows.items() if together(["行政复议", "纠错"], s) or together(["复议", "纠错"], s)}
    assert set(walk(index, "同句(行政复议 OR 复议 纠错)")) == sentence
    either = {p for p, (t, s) in rows.items() if together(["依法", "行政"], s) or "撤销" in t}
    assert set(walk(index, "同句(依法 行政) OR 撤销")) == either
    apart = {p for p, (t, s) in rows.items() if together(["执法", "培训"], [t]) and not together(["执法", "培训"], s)}
    assert apart and set(walk(index, "执法 培训 -同句(执法 培训)")) >= apart
    assert index.search("执法 培训 -同句(执法 培训)")["total"] == len(apart)
    year = index.search("同句(依法 行政) year:2022", per_page=100)
    assert year["total"] and {h["year"] for h in year["hits"]} == {2022}
    assert year["total"] == sum(f["count"] for f in index.search("同句(依法 行政)")["facets"]["year"]
                                if f["value"] == "2022")


def test_a_group_no_passage_holds_is_an_empty_answer_not_a_partial_one(index):
    assert index.search("行政复议 抽查")["partial"]        # no passage holds both: those with one
    answer = index.search("同句(行政复议 抽查)")
    assert (answer["total"], answer["near_total"], answer["partial"], answer["hits"]) == (0, 0, False, [])


def test_hits_mark_the_group_words_and_rank_as_the_words_do(index):
    result = index.search("同句(执法 培训)", per_page=100)
    for hit in result["hits"]:
        snippet = hit["snippet"]
        marked = {squash(snippet["text"][a:b]) for a, b in snippet["spans"]}
        assert any("执法" in m for m in marked) and any("培训" in m for m in marked), hit["passage_id"]
    # Same words, same scores: the group's order is the plain query's, less the passages it drops.
    group = [h["passage_id"] for h in result["hits"]]
    plain = [pid for pid in index.all_ids("执法 培训") if pid in set(group)]
    assert group == plain


def test_title_words_must_be_in_the_reports_own_title(index, scan):
    for q, title_word, word in [("title:卫生健康局 执法", "卫生健康局", "执法"),
                                ("标题:政府工作报告 营商环境", "政府工作报告", "营商环境"),
                                ('title:"法治政府 建设" 同句(执法 培训)', "法治政府建设", None)]:
        truth = {pid for pid, text, sentences, title in scan if title_word in title
                 and (together([word], [text]) if word else together(["执法", "培训"], sentences))}
        assert truth and set(walk(index, q)) == truth, q
    untitled = {pid for pid, text, _, title in scan if not title and "执法" in text}
    excluded = set(walk(index, "-title:法治 执法"))
    assert untitled and untitled <= excluded           # no title: no title word to exclude it
    assert excluded == {pid for pid, text, _, title in scan if "法治" not in title and "执法" in text}
    assert not untitled & set(walk(index, "title:法治 执法"))


# -- the CLI and the JSON ---------------------------------------------------------------

def test_cli_and_json_take_groups_and_say_what_is_wrong(shared_index):
    result = CliRunner().invoke(main, ["search", "同句(行政复议 纠错)", "--index", str(shared_index), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["total"] >= 1 and all("纠错" in h["text"] for h in data["hits"])
    result = CliRunner().invoke(main, ["search", "同句(行政复议", "--index", str(shared_index)])
    assert result.exit_code != 0 and "缺少右括号" in result.output and "Traceback" not in result.output

    from search_web import create_app

    client = create_app({"INDEX_DIR": str(shared_index), "TESTING": True}).test_client()
    answer = client.get("/search.json", query_string={"q": "title:卫生健康局 同句(执法 培训)"})
    assert answer.status_code == 200 and answer.get_json()["total"] >= 1
    assert all("卫生健康局" in h["title"] for h in answer.get_json()["hits"])
    for q in ("同句(", "同句()"):
        for path in ("/search.json", "/search"):
            bad = client.get(path, query_string={"q": q})
            assert bad.status_code == 400, (path, q)
    assert "缺少右括号" in client.get("/search.json", query_string={"q": "同句("}).get_data(as_text=True)
    page = client.get("/search", query_string={"q": "同句(行政复议 纠错)"}).get_data(as_text=True)
    assert "<mark>行政复议纠错</mark>" in page or "<mark>纠错</mark>" in page
    assert "同句(行政复议 纠错)</code>" in page and "title:营商环境</code>" in page      # the syntax help


def test_query_edits_leave_a_malformed_group_alone():
    assert without_filter("同句(执法 agency:阳江", "agency", "阳江") == "同句(执法 agency:阳江"
    assert without_filter("同句(执法 培训) agency:阳江", "agency", "阳江") == "同句(执法 培训)"


@pytest.mark.parametrize("q", ["同句(的 是 在)", "同句(行政 行政复议)", "同句(依法 OR 法治 行政)", "同句(会前学法 次数)",
                               '同句("应诉工作。" 行政复议)', "同句(金额 资金)"])
def test_the_one_regex_sentence_test_agrees_with_splitting(index, q):
    """The regex (a lookahead per clause from each sentence start) against the
    sentences cut one by one, on every passage: overlapping words, count words,
    a word holding a sentence end."""
    from indexer.search.scopes import _one_sentence_test, holds

    group = parse_query(q).groups[0][0]
    test = _one_sentence_test(group)
    found = [bool(test(text)) for text in index.generation.norm]
    assert any(found) and found == [holds(text, group) for text in index.generation.norm]
