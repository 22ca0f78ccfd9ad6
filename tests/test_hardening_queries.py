"""Every query, parameter and id, in the web app and the CLI, ends in an answer
or a clear 4xx message: the issue's reproducers, then hypothesis over the
query language, the web parameters and the CLI (a fixed, derandomized budget)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer.api import FazhiError
from indexer.cli import main
from indexer.search.index import Index

pytest_plugins = ["web_fixtures"]
ROOT = Path(__file__).resolve().parents[1]
BUDGET = dict(deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

# What queries are made of: words the samples hold and do not hold, every
# operator and filter of the language, odd characters (², full-width digits,
# lone surrogates are impossible over HTTP but not in the library).
TOKENS = ["执法", "营商环境", "龘", "Zürich", "双随机、一公开", "OR", "|", "||", "NOT", "AND", "-", "－", "-执法",
          '"', "“", "”", "「", "year:", "year:²", "year:2022", "year:99999999999999999999", "year:２０２２",
          "agency:", "agency:阳江", "section:问题", "section:无", "province:广东", "city:", "机关:", "年:2022",
          "*", "?", "：", "%", "\\", "\x00", "\u200b", "\ufeff", "²", "٣", "𠀀", "ﬁ", "Ⅻ", "\ud800"]
queries = st.one_of(
    st.lists(st.sampled_from(TOKENS) | st.text(max_size=6), max_size=8).map(" ".join),
    st.lists(st.sampled_from(TOKENS), max_size=6).map("".join),
    st.text(max_size=40),
)


@pytest.fixture(scope="module")
def index(web_index):
    opened = Index(web_index)
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def web(web_index):
    from web_fixtures import make_app

    return make_app(web_index).test_client()


# --- the reproducers -------------------------------------------------------------

@pytest.mark.parametrize("q", ["执法 OR 龘", "营商环境 | 龘", "执法 OR Zürich", "龘 OR 执法", '"龘" | 执法'])
def test_or_with_a_term_no_passage_has_answers_the_other_term(web, q):
    answer = web.get("/search.json", query_string={"q": q})
    assert answer.status_code == 200, answer.json
    assert answer.json["total"] == web.get("/search.json", query_string={"q": q.split()[0].strip('"')
                                                                          if "龘" not in q.split()[0]
                                                                          else q.split()[-1]}).json["total"]


@pytest.mark.parametrize("params", [{"year": "²"}, {"q": "year:²"}, {"year": "99999999999999999999"},
                                    {"q": "执法 year:99999999999999999999"}, {"year": "٢٠٢٢"}])
def test_odd_years_are_a_400_that_says_what_a_year_is(web, params):
    answer = web.get("/search.json", query_string=params)
    assert answer.status_code == 400
    assert "年份应为四位数字" in answer.json["error"]


def test_a_cli_query_in_gbk_bytes_is_read_as_chinese(web_index):
    """报告 typed in a GBK terminal: argv holds bytes that are not UTF-8."""
    env = dict(os.environ, LC_ALL="C.UTF-8", PYTHONIOENCODING="utf-8")
    done = subprocess.run([sys.executable, "-m", "indexer", "search", "报告".encode("gbk"), "--json",
                           "--index", str(web_index)], capture_output=True, env=env, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    assert json.loads(done.stdout)["query"] == "报告"


def test_a_cli_argument_that_is_no_text_is_a_clear_error(web_index):
    result = CliRunner().invoke(main, ["search", os.fsdecode(b"\xff\xfe\xff"), "--index", str(web_index)])
    assert result.exit_code == 1 and "neither UTF-8 nor GB18030" in result.output
    assert "Traceback" not in result.output


def test_the_library_refuses_lone_surrogates_with_a_message(index):
    with pytest.raises(FazhiError, match="UTF-8"):
        index.search("执法\udcb1")


# --- properties --------------------------------------------------------------------

@settings(max_examples=300, **BUDGET)
@given(q=queries)
def test_any_query_is_answered_or_refused_with_a_4xx(index, q):
    try:
        result = index.search(q)
    except FazhiError as exc:
        assert 400 <= exc.status < 500 and exc.message
        return
    assert result["total"] + result["near_total"] >= len(result["hits"])   # near misses are listed after the total
    assert all(hit["passage_id"] for hit in result["hits"])


params = st.fixed_dictionaries({}, optional={
    "q": queries, "year": st.sampled_from(TOKENS) | st.text(max_size=8), "agency": st.text(max_size=8),
    "section": st.sampled_from(["问题", "成效", "下一步", "x", ""]) | st.text(max_size=4),
    "page": st.sampled_from(["1", "2", "0", "-1", "²", "1000", "1001", "99999999999999999999", "", "x"]),
    "per_page": st.sampled_from(["1", "100", "101", "0", "1e3", "٣"]),
    "sort": st.sampled_from(["relevance", "date", "", "x", "\x00"]),
    "facet_size": st.sampled_from(["1", "5000", "5001", "0", "x"]),
})


@settings(max_examples=200, **BUDGET)
@given(params=params, twin=st.booleans())
def test_any_search_parameters_get_an_answer_or_a_4xx(web, params, twin):
    params = {k: v.replace("\ud800", "") for k, v in params.items()}     # not sendable over HTTP
    answer = web.get("/search.json" if twin else "/search", query_string=params)
    assert answer.status_code in (200, 400), (params, answer.status_code)
    if twin:
        assert answer.json["ok"] is (answer.status_code == 200)


@settings(max_examples=100, **BUDGET)
@given(kind=st.sampled_from(["r", "p"]), ident=st.text(max_size=30), twin=st.booleans(), q=queries)
def test_any_id_gets_a_page_or_a_404(web, kind, ident, twin, q):
    path = f"/{kind}/{quote(ident.replace(chr(0xD800), ''), safe='')}" + (".json" if twin else "")
    answer = web.get(path, query_string={"q": q.replace("\ud800", "")})
    assert answer.status_code in (200, 301, 308, 400, 404, 405), (path, answer.status_code)


FLAGS = st.lists(st.sampled_from([["--year", "²"], ["--year", "2022"], ["--agency", "阳江"], ["--section", "问题"],
                                  ["--section", "x"], ["--limit", "0"], ["--page", "2"], ["--sort", "date"],
                                  ["--json"], ["--province", "\udcb1"]]), max_size=3)


@settings(max_examples=60, **BUDGET)
@given(words=st.lists(queries, min_size=1, max_size=3), flags=FLAGS)
def test_any_cli_search_ends_in_results_or_a_one_line_error(web_index, words, flags):
    # Arguments as Python gets them: bytes that are not UTF-8 become lone surrogates.
    args = [w.encode("utf-8", "surrogatepass").decode("utf-8", "surrogateescape") for w in words]
    result = CliRunner().invoke(main, ["search", *args, "--index", str(web_index), *sum(flags, [])])
    assert result.exit_code in (0, 1, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
