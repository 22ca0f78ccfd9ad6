"""The cluster backend against a real 2-shard MariaDB + Mroonga cluster
(``scripts/cluster.sh``, started once for this module in a temporary folder
on free loopback ports, stopped at the end): the same answers as the embedded
index over ../shared, a shard down is a clear error, an update touches one shard.

Skips, saying why, when MariaDB + Mroonga are not installed (CI installs them
with ``scripts/cluster.sh install`` where apt is there) or cannot start."""
from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT

pymysql = pytest.importorskip("pymysql", reason="PyMySQL is not installed (the 'test' extra has it)")

SCRIPT = ROOT / "scripts" / "cluster.sh"
QUERIES = ["法治", "双随机", '"双随机、一公开"', "行政 执法", "执法 培训", "法", '"会前学法" 次', "不足 整改",
           "疫情防控 执法", "重大行政决策 程序", "title:法治政府 执法", "-title:国务院 依法行政", "-agency:* 法治", "agency:* 培训",
           "中华人民共和国 自然资源部", "type:政府工作报告 执法", "-type:其他 法治", "agency:自然资源部",
           "证照分离 OR 告知承诺制 -疫情", "2023年", "经济建设", "year:2022 法治", "agency:阳江 执法",
           "section:问题 不足", "xyzq", "依法行政 kind:公安", "", "-agency:阳江 培训", "法治政府 建设 年度 报告 工作",
           "province:广东 执法", "copied:yes 法治", "00", "依法 行政 -agency:国务院 year:2019-2023",
           "双随机 执法 检查", "执法 培训 物价上涨"]
VARIANTS = [{}, {"page": 2}, {"sort": "date"}, {"per_page": 50}, {"page": 3, "per_page": 7}, {"group": "report"},
            {"group": "report", "page": 2, "sort": "date"},
            {"facet_size": 3, "filters": {"year": ["2022"]}}, {"filters": {"agency": ["卫生健康局"]}}]


def _installed() -> str | None:
    if not (shutil.which("mariadbd") or Path("/usr/sbin/mariadbd").exists()):
        return "MariaDB is not installed (bash scripts/cluster.sh install, as root with apt)"
    if not any(Path(p, "ha_mroonga.so").exists() for p in ("/usr/lib/mysql/plugin",)):
        return "Mroonga is not installed (apt-get install mariadb-plugin-mroonga)"
    return None


def _free_base_port() -> int:
    for base in range(23400, 33400, 10):
        try:
            for port in range(base, base + 3):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
    pytest.skip("no three free loopback ports for a cluster")


def _script(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(SCRIPT), *args], capture_output=True, text=True, timeout=180, check=check)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """(backend URL, data folder): a 2-shard cluster, stopped after the module's tests."""
    reason = _installed()
    if reason:
        pytest.skip(reason)
    data = tmp_path_factory.mktemp("cluster")
    options = ["--data", str(data), "--port", str(_free_base_port())]
    started = _script("start", "--shards", "2", *options, check=False)
    try:
        if started.returncode:
            pytest.skip(f"the cluster did not start: {started.stderr.strip()[-300:]}")
        yield started.stdout.strip().splitlines()[-1], data, options
    finally:
        _script("stop", *options, check=False)


@pytest.fixture(scope="module")
def loaded(cluster, shared_index):
    """The embedded index over ../shared (the suite's own), and the cluster loaded from it."""
    from indexer.api import open_index, sync_backend

    url = cluster[0]
    summary = sync_backend(url, shared_index)
    assert set(summary["shards"]) == {1, 2}, summary          # both shards hold reports
    embedded, remote = open_index(shared_index), open_index(url)
    yield embedded, remote
    embedded.close()
    remote.close()


def _comparable(answer: dict) -> dict:
    return {k: v for k, v in answer.items() if k != "took_ms"}


@pytest.mark.parametrize("q", QUERIES)
def test_every_total_facet_hit_and_page_equals_the_embedded_index(loaded, q):
    embedded, remote = loaded
    for options in VARIANTS:
        expected, found = _comparable(embedded.search(q, **options)), _comparable(remote.search(q, **options))
        for key in expected:          # key by key: the diff names what differs
            if key == "facets":
                for name in expected[key]:
                    assert found[key].get(name) == expected[key][name], (q, options, name)
            assert found.get(key) == expected[key], (q, options, key)
        assert found.keys() == expected.keys(), (q, options)
    assert remote.count(q) == embedded.count(q)


def test_the_missing_value_filters_and_merged_agency_names_equal_the_embedded_index(loaded):
    """A filter value "" keeps the facets' 未注明 bucket; an agency's name with and without
    中华人民共和国 is one value (both filtered, counted as the longer)."""
    embedded, remote = loaded
    for filters in ({"agency": [""]}, {"province": [""], "year": ["2022"]}, {"doc_type": [""]},
                    {"agency": ["自然资源部"]}, {"agency": ["中华人民共和国自然资源部", ""]}):
        for group in ("passage", "report"):
            expected = _comparable(embedded.search("法治", filters=filters, group=group, facet_size=5))
            assert _comparable(remote.search("法治", filters=filters, group=group, facet_size=5)) == expected, filters
    merged = embedded.search("", filters={"agency": ["自然资源部"]})
    assert merged["total"] and any(f["value"] == "中华人民共和国自然资源部" for f in merged["facets"]["agency"])


def test_what_only_the_embedded_index_answers_is_a_clear_error_not_a_wrong_answer(loaded):
    """同句/同段 read every match's text and a count word (次数) matches numbers (37次):
    the cluster refuses them in one line (501) rather than answer something else."""
    from indexer.cluster import EmbeddedOnly

    embedded, remote = loaded
    for q, says in (("同句(行政复议 纠错)", "同句"), ("同段(执法 培训) 法治", "同段"), ("-同句(执法 培训)", "同句"),
                    ("会前学法 次数", "数量词")):
        assert embedded.search(q)["total"] >= 0           # the embedded index answers it
        with pytest.raises(EmbeddedOnly, match=says) as raised:
            remote.search(q)
        assert raised.value.status == 501 and "\n" not in str(raised.value)
        with pytest.raises(EmbeddedOnly):
            remote.count(q)


def test_walking_every_page_gives_every_hit_once_in_the_embedded_order(loaded):
    embedded, remote = loaded
    first = embedded.search("执法", per_page=100)
    seen = []
    for page in range(1, first["pages"] + 1):
        seen += [h["passage_id"] for h in remote.search("执法", page=page, per_page=100)["hits"]]
    assert seen == embedded.all_ids("执法") and len(seen) == first["total"] > 200


def test_a_report_page_reads_the_report_from_its_shard(loaded):
    embedded, remote = loaded
    hit = embedded.search("双随机")["hits"][0]
    assert remote.get_report(hit["report_id"]) == embedded.get_report(hit["report_id"])


def test_research_tools_say_they_need_the_embedded_index(loaded):
    from indexer.api import FazhiError, concordance

    _, remote = loaded
    with pytest.raises(FazhiError, match="内嵌索引"):
        concordance(remote, "双随机", {})
    with pytest.raises(FazhiError, match="内嵌索引"):
        remote.browse_reports()


def test_a_page_ranked_among_the_candidates_says_so_and_keeps_exact_counts(loaded, monkeypatch):
    from indexer.cluster import candidates

    embedded, remote = loaded
    monkeypatch.setattr(candidates, "MAX_CANDIDATES", 1)       # no asking again
    monkeypatch.setattr(candidates, "safe", lambda *args: False)   # and no proof that the candidates suffice
    expected, found = embedded.search("\"的\""), remote.search("\"的\"")
    assert candidates.BOUNDED.format(len(found["hits"]))[:10] in " ".join(found["notes"])
    for key in ("total", "near_total", "reports_total", "facets", "pages"):
        assert found[key] == expected[key], key


def test_pages_proven_from_lists_split_by_title_and_section_equal_the_embedded_index(loaded, monkeypatch):
    """The first list never enough (its bound made huge): each shard's matches come again
    split by the clauses their title holds and whether their section path holds a term,
    and the page equals the embedded index's, proven complete (no note)."""
    from indexer.cluster import candidates

    from indexer.cluster import planning

    embedded, remote = loaded
    monkeypatch.setattr(planning, "adjust_for", lambda *a: None)     # the boosts out of the first score
    monkeypatch.setattr(candidates, "DEEP_AT", 10**12)                # first lists of 300–400, never 1,200
    first = candidates.lists
    monkeypatch.setattr(candidates, "lists", lambda *a: {"all": (first(*a)["all"][0], 1e9, 0)})
    split = []
    monkeypatch.setattr(candidates, "split_lists", lambda *a, real=candidates.split_lists: split.append(1) or real(*a))
    for q in ("工作", "工作 建设", "加强 工作"):
        for page in (1, 4, 6):
            expected = _comparable(embedded.search(q, page=page, per_page=50))
            assert expected["total"] > 700, q              # lists of 400 cut short on both shards
            assert _comparable(remote.search(q, page=page, per_page=50)) == expected, (q, page)
    assert len(split) == 9


def test_a_common_query_asks_deep_lists_at_once_and_a_rare_one_short_lists(loaded, monkeypatch):
    """Many matches (``candidates.DEEP_AT``): each shard's first list is ``MAX_CANDIDATES``
    long, so a common query is not matched and scored a second time; few matches or a
    page by date: the short list.  Same answers."""
    from indexer.cluster import candidates

    embedded, remote = loaded
    asked = []
    monkeypatch.setattr(candidates, "command", lambda plan, stats, sort, spec, limit, *a, real=candidates.command:
                        asked.append(limit) or real(plan, stats, sort, spec, limit, *a))
    for q, sort, deep in (("和", "relevance", True), ("发展", "relevance", True), ("和", "date", False),
                          ("工作 建设", "relevance", False), ("双随机 执法 检查", "relevance", False)):
        remote.search(q)          # a word's count known (the first search of 发展 counts it on the way)
        asked.clear()
        found = remote.search(q, sort=sort)
        assert _comparable(found) == _comparable(embedded.search(q, sort=sort)), q
        expected = candidates.MAX_CANDIDATES if deep else candidates.limit_for(sort, 10)
        assert asked[0] == expected, (q, sort, asked)
        assert (found["total"] >= candidates.DEEP_AT) == deep or sort == "date", (q, found["total"])


BOUND_QUERIES = ("执法 培训", "行政 执法", "依法 行政", "工作 建设", "法治 建设 政府", "不足 整改", "双随机 执法 检查",
                 "法", '"政府"', "年度 报告", "法治政府", "和")


def test_norms_are_read_only_for_candidates_that_could_reach_the_page(loaded, monkeypatch):
    """By relevance deep lists come without their text (``candidates.lean``): it is read for
    the candidates with the best bounds, in rounds, until the rest cannot reach the page;
    deep pages and pages of reports equal the embedded index's all the same."""
    from indexer.cluster import candidates

    embedded, remote = loaded
    read, offered = [], []
    monkeypatch.setattr(candidates, "_read_norms", lambda cluster, rows, norms, real=candidates._read_norms:
                        read.extend(r["id"] for r in rows) or real(cluster, rows, norms))
    monkeypatch.setattr(candidates, "_union", lambda parts, real=candidates._union:
                        offered.append(len(real(parts))) or real(parts))
    for q, options in (("工作", {}), ("工作", {"page": 6, "per_page": 50}), ("工作 建设", {"group": "report", "page": 3}),
                       ("加强 工作", {"per_page": 50}), ('"政府"', {"page": 2})):
        read.clear(), offered.clear()
        found = remote.search(q, **options)
        assert _comparable(found) == _comparable(embedded.search(q, **options)), (q, options)
        assert len(read) == len(set(read)), (q, options)            # each read once
        if q == "工作":           # 2,244 matches (``candidates.DEEP_AT``): deep lists, come lean
            assert read, options
        if (q, options) == ("工作", {}):       # 2,244 matches: lists of 1,200 a shard
            assert len(read) <= 600 < max(offered), (len(read), offered)
    original = candidates._read_norms

    def losing_one(cluster, rows, norms):     # a passage replaced between its list and the read
        original(cluster, rows, norms)
        norms.pop(rows[0]["id"], None)
    monkeypatch.setattr(candidates, "_read_norms", losing_one)
    lost = remote.search("工作")
    assert lost["total"] == 2244 and len(lost["hits"]) == 10
    monkeypatch.setattr(candidates, "_read_norms", original)
    monkeypatch.setattr(candidates, "DEEP_AT", 1)         # every relevance list lean: near misses' too
    near = []
    monkeypatch.setattr(candidates, "gather", lambda *a, real=candidates.gather, **k:
                        near.append(sum("norm" not in r for x in a[7] for r in x["main"]["rows"]) if k.get("held")
                                    else 0) or real(*a, **k))
    for q, options in (("重大行政决策 程序", {"per_page": 50}), ("执法 培训", {"page": 3, "per_page": 50}),
                       ('"会前学法" 次', {}), ("双随机 执法 检查", {"per_page": 50})):
        assert _comparable(remote.search(q, **options)) == _comparable(embedded.search(q, **options)), (q, options)
    assert sum(near) > 0, near          # near-miss lists came lean and were narrowed
    monkeypatch.setattr(candidates, "FIRST_READ", 0.1)      # a first read short of the page: a second round
    rounds = []
    monkeypatch.setattr(candidates, "_read_norms", lambda cluster, rows, norms:
                        rounds.append(len(rows)) or original(cluster, rows, norms))
    for q, options in (("工作", {}), ("工作", {"page": 4, "per_page": 50}), ("工作", {"group": "report", "page": 2})):
        rounds.clear()
        assert _comparable(remote.search(q, **options)) == _comparable(embedded.search(q, **options)), (q, options)
        assert len(rounds) >= 2, (q, options, rounds)


def test_count_answers_are_kept_for_the_generation_and_pages_stay_equal(loaded):
    """Count-only answers (the count and facets of a filtered field without its filter,
    the near misses' counts) are kept per shard and command for the generation
    (``State.counts``): the next page asks only for its candidates, and equals the
    embedded index's; a new generation starts empty."""
    from indexer.cluster import search as cs

    embedded, remote = loaded
    remote._state = remote._load()          # this generation, nothing kept yet
    ran = []
    real = cs.g.read          # every shard's answer read: the commands run
    cs.g.read = lambda answer: ran.append(1) or real(answer)
    try:
        for q, filters in (("执法 培训", {"year": ["2022"]}), ("行政 执法", {"section": ["存在的不足和原因"]})):
            ran.clear()
            remote.search(q, filters=filters)
            first = len(ran)
            ran.clear()
            found = remote.search(q, filters=filters, page=2)
            assert 0 < len(ran) < first, (q, first, len(ran))        # the candidates only
            assert _comparable(found) == _comparable(embedded.search(q, filters=filters, page=2)), q
    finally:
        cs.g.read = real
    assert len(remote._state.counts) and not len(remote._load().counts)


def test_a_near_universal_boost_is_a_constant_first_and_exact_when_the_page_needs_it(loaded, monkeypatch):
    """Every title and heading word a constant in the first try (``boosts.LOOSE_SHARE`` 0):
    the lists that cannot prove their page come again with the exact adjuster, and
    every page equals the embedded index's, proven (no note)."""
    from indexer.cluster import boosts, candidates

    embedded, remote = loaded
    monkeypatch.setattr(boosts, "LOOSE_SHARE", 0.0)
    monkeypatch.setattr("indexer.cluster.planning.LOOSE_SHARE", 0.0)
    remote._state.clause_stats.clear()
    tries = []
    monkeypatch.setattr(candidates, "_ask", lambda cluster, plan, *a, real=candidates._ask:
                        tries.append(plan.adjust) or real(cluster, plan, *a))
    loose = []
    monkeypatch.setattr(candidates, "lists", lambda plan, *a, real=candidates.lists:
                        loose.append(bool(plan.adjust and plan.adjust.loose)) or real(plan, *a))
    for q in ("工作 建设", "法治 政府", "年度 报告", "执法 检查", '"政府"', "法治政府建设"):
        for options in ({}, {"per_page": 50}, {"page": 3}):
            found = remote.search(q, **options)
            assert not found["notes"], (q, options)
            assert _comparable(found) == _comparable(embedded.search(q, **options)), (q, options)
    assert sum(loose) > 10 and tries and all(a is None or not a.loose for a in tries), tries


@pytest.mark.parametrize("adjusted,common,loose", [(False, None, None), (True, None, None), (True, 0.0, None),
                                                   (True, 0.3, None), (True, None, 0.0)],
                         ids=["boosts-apart", "boosts-adjusted", "boosts-constant", "boosts-both", "boosts-loose"])
def test_groongas_first_score_bounds_ours_on_every_candidate(loaded, monkeypatch, adjusted, common, loose):
    """The completeness check rests on it: for every candidate a shard sends, Groonga's
    first score (several words: the saturation of their idf-weighted mean count) is at
    least our BM25 (truncated: one unit of slack): without the title and heading boosts,
    or with them where the adjuster put them in the first score (``boosts``: titles and
    heading paths that hold a query word, some more than once), as a constant (every
    boost common: ``boosts.COMMON_SHARE`` 0), or both (words in 30% of titles or more),
    or every boost a constant in a first try (``boosts.LOOSE_SHARE`` 0)."""
    import numpy as np

    from indexer.cluster import boosts, candidates, order, planning

    _, remote = loaded
    if not adjusted:
        monkeypatch.setattr(planning, "adjust_for", lambda *a: None)
    if common is not None:
        monkeypatch.setattr(boosts, "COMMON_SHARE", common)
    if loose is not None:
        monkeypatch.setattr(planning, "LOOSE_SHARE", loose)
    if common is not None or loose is not None:
        remote._state.clause_stats.clear()        # the plans' adjusters made again
    gaps, boosted = [], []

    def checked(cluster, plan, stats, titles, *args, real=candidates.gather, **kwargs):
        rows, complete = real(cluster, plan, stats, titles, *args, **kwargs)
        if plan.adjust is None:
            rows_as, titles_as = [dict(row, section="") for row in rows], {}   # no heading nor title boost
        else:
            rows_as, titles_as = rows, titles
        ours, held, _ = order._bm25(rows_as, [r["norm"] for r in rows], plan.query, stats, titles_as)
        first = np.array([order.first_bound(r) for r in rows])
        full = held == len(plan.query.clauses)
        gaps.extend((first - ours)[full].tolist())
        if plan.adjust is not None:
            plain, _, _ = order._bm25([dict(row, section="") for row in rows], [r["norm"] for r in rows],
                                      plan.query, stats, {})
            boosted.append(int(np.count_nonzero((ours > plain + 1e-9)[full])))
        return rows, complete

    monkeypatch.setattr(candidates, "gather", checked)
    for q in BOUND_QUERIES:
        remote.search(q, per_page=50)
        remote.search(q, per_page=50, sort="date")     # no headings' penalty there (``order.headings_last``)
    assert len(gaps) > 1000 and min(gaps) >= 0, min(gaps)
    if adjusted:        # the boosts occurred: the bound was tested where they count
        assert len(boosted) >= len(BOUND_QUERIES) // 2 and sum(boosted) > 500, boosted


def test_bare_headings_come_after_every_passage_in_a_shards_candidates(loaded, monkeypatch):
    """Groonga's first score takes bare headings last, as our order does: the penalty is
    an integer product (``heading * 100000000`` on the Int8 column wrapped to 0, so
    headings came among a common word's candidates and the check took the first heading
    for the end of the content: a wrong page of "和" at 1 M passages)."""
    from indexer.cluster import candidates

    _, remote = loaded
    orders = []

    def spy(cluster, plan, stats, titles, sort, needed, expr, answers, real=candidates.gather, **kwargs):
        orders.extend([row["heading"] for row in a["main"]["rows"]] for a in answers)
        return real(cluster, plan, stats, titles, sort, needed, expr, answers, **kwargs)

    monkeypatch.setattr(candidates, "gather", spy)
    for q in ("存在的问题", "主要举措", "不足", "下一步", "工作", "和", "法治政府建设"):
        remote.search(q)
    assert any(0 in found and 1 in found for found in orders)
    assert all(found == sorted(found) for found in orders)


ONE_WORD = [("执法", {}), ('"政府"', {"page": 3}), ("法", {"sort": "date"}), ("培训", {"filters": {"year": ["2022"]}}),
            ("和", {"per_page": 50}), ("行政", {"group": "report"}), ("-title:国务院 依法", {}), ("整改", {"page": 2, "per_page": 7})]


def test_a_words_count_comes_with_its_first_round_and_the_answers_stay_equal(loaded, cluster, monkeypatch):
    """A word no search has counted yet is scored with a stand-in idf (``order.unit_df``)
    and its passages counted in the same round; the candidates' first scores rescaled, the
    answer equals the embedded index's, first time (a fresh client) and from memory."""
    from indexer.api import open_index
    from indexer.cluster import planning

    embedded, _ = loaded
    learned = []
    monkeypatch.setattr(planning, "learn_df", lambda *a, real=planning.learn_df: learned.append(1) or real(*a))
    for q, options in ONE_WORD:
        fresh = open_index(cluster[0])
        try:
            expected = _comparable(embedded.search(q, **options))
            assert _comparable(fresh.search(q, **options)) == expected, (q, options)
            assert _comparable(fresh.search(q, **options)) == expected, (q, options, "remembered")
        finally:
            fresh.close()
    assert len(learned) == len(ONE_WORD)


def test_the_cli_searches_the_cluster_and_says_when_it_cannot(loaded, cluster):
    from click.testing import CliRunner

    from indexer.cli import main

    embedded, _ = loaded
    url = cluster[0]
    done = CliRunner().invoke(main, ["search", "双随机", "--json", "--backend", url])
    assert done.exit_code == 0, done.output
    assert '"total": %d' % embedded.search("双随机")["total"] in done.output
    gone = url.rsplit(":", 1)[0] + ":1/fazhi"                   # nothing listens on port 1
    done = CliRunner().invoke(main, ["search", "双随机", "--backend", gone])
    assert done.exit_code == 1 and "没有响应" in done.output and "Traceback" not in done.output


def test_the_web_app_serves_the_cluster_with_the_same_json(loaded, cluster, shared_index):
    from search_web import create_app

    embedded_app = create_app({"INDEX_DIR": shared_index, "TESTING": True}).test_client()
    cluster_app = create_app({"BACKEND": cluster[0], "TESTING": True}).test_client()
    for path in ("/search.json?q=双随机&agency=阳江", "/search.json?q=执法+培训&page=2&sort=date",
                 "/search.json?q=法治&group=report"):
        expected, found = embedded_app.get(path).get_json(), cluster_app.get(path).get_json()
        expected.pop("took_ms"), found.pop("took_ms")
        assert found == expected, path
    passage = expected["hits"][0]["passage_id"]
    assert cluster_app.get(f"/p/{passage}").status_code == 200
    page = cluster_app.get("/kwic?q=双随机")
    assert page.status_code == 501 and "内嵌索引" in page.get_data(as_text=True)
    for path in ("/search?q=xyzqq", "/search.json?q=xyzqq", "/search?q=双随机+xyzqq", "/"):
        # no hits, or only partial ones: the page says so (no "did you mean": it reads the embedded words)
        assert cluster_app.get(path).status_code == 200, path
    # What the cluster answers 501 is not offered: exports of every hit, the tools, the report list.
    for path, offered in (("/search?q=双随机", ("下载全部", "研究工具", "/kwic")), ("/", ("/reports", "可下载为")),
                          ("/search?q=xyzqq", ("/reports",))):
        html = cluster_app.get(path).get_data(as_text=True), embedded_app.get(path).get_data(as_text=True)
        for text in offered:
            assert text not in html[0] and text in html[1], (path, text)


def test_a_count_word_the_cluster_cannot_answer_keeps_the_query_and_offers_it_literal(loaded, cluster, shared_index):
    """``会前学法 次数`` asks for numbers (37次), which only the embedded index reads:
    the cluster's page answers 501 with the query still in the box and the count word
    quoted one click away, whose page equals the embedded index's (a 同句 group: its
    words anywhere).  A search whose
    suggestions would ask for numbers (a quoted phrase with no hits: ``不加引号搜索``)
    leaves them out instead of failing."""
    import html as html_module

    from search_web import create_app

    embedded_app = create_app({"INDEX_DIR": shared_index, "TESTING": True}).test_client()
    cluster_app = create_app({"BACKEND": cluster[0], "TESTING": True}).test_client()
    page = cluster_app.get("/search?q=会前学法+次数&year=2022")
    body = html_module.unescape(page.get_data(as_text=True))
    assert page.status_code == 501 and 'value="会前学法 次数"' in body and "内嵌索引" in body
    assert "；或对同一批报告" not in body          # the link, not the CLI's hint beside it
    retry = re.search(r'class="retry">可改为：<a href="([^"]+)">([^<]+)</a>', body)
    assert retry and retry.group(2) == '会前学法 "次数"' and "year=2022" in retry.group(1)
    literal = retry.group(1).replace("/search?", "/search.json?")
    expected, found = embedded_app.get(literal).get_json(), cluster_app.get(literal).get_json()
    expected.pop("took_ms"), found.pop("took_ms")
    # Its suggestions leave out what asks for numbers (``不加引号搜索：会前学法 次数``).
    offered, suggested = expected.pop("suggestions"), found.pop("suggestions")
    assert found == expected and found["query"] == '会前学法 "次数"' and found["hits"]
    assert [s for s in offered if "不加引号" not in s["label"]] == suggested and len(offered) > len(suggested)
    error = cluster_app.get("/search.json?q=会前学法+次数")        # the JSON twin: the plain error, its hint
    assert error.status_code == 501 and error.get_json()["hint"].startswith('可改为：会前学法 "次数"；')
    for path in ('/search?q="会前学法次数xyz"', '/search.json?q="会前学法次数xyz"'):
        assert cluster_app.get(path).status_code == 200, path
    # 同句(…) the same way: its words anywhere in the passage, one click away.
    body = html_module.unescape(cluster_app.get("/search?q=同句(行政复议+纠错)").get_data(as_text=True))
    assert 'value="同句(行政复议 纠错)"' in body and re.search(r'class="retry">可改为：<a href="[^"]+">行政复议 纠错</a>', body)


def test_the_server_as_started_answers_and_is_healthy_on_the_cluster(loaded, cluster):
    """As ``python -m search_web --backend`` configures it (the byte check in the
    background, a warmer): its start asked the cluster's state what only an embedded
    generation has (every page a 501), and ``/healthz`` read the generation's files."""
    import time

    from search_web import create_app

    embedded, _ = loaded
    app = create_app({"BACKEND": cluster[0], "TESTING": True, "VERIFY_IN_BACKGROUND": True}).test_client()
    found = app.get("/search.json?q=双随机")
    assert found.status_code == 200 and found.get_json()["total"] == embedded.search("双随机")["total"]
    deadline = time.monotonic() + 60
    while (health := app.get("/healthz")).status_code == 503 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert health.status_code == 200, health.get_data(as_text=True)[:200]
    body = health.get_json()
    assert body["ok"] and body["ready"] and body["passages"] == len(embedded.generation.columns["report"])
    assert body["generation"].startswith("cluster-")


# The tests below change the cluster: they come last.


def _shard_rows(url: str) -> dict[int, tuple]:
    from indexer.cluster.nodes import Cluster

    cluster = Cluster(url)
    try:
        return {n: tuple(pool.query("SELECT COUNT(*), SUM(seq), SUM(length) FROM passages")[0])
                for n, pool in cluster.shards.items()}
    finally:
        cluster.close()


def test_updating_one_report_touches_only_its_shard(loaded, cluster, tmp_path, monkeypatch):
    """The cluster loaded from a copy of the samples, then one report changed: only its shard
    is written.  A server notices the change at its next request and freezes the reloaded
    report table out of the collector's passes, as it does a swapped-in generation."""
    from indexer.api import build_index, sync_backend
    from search_web import index as web_index

    _, remote = loaded
    url = cluster[0]
    frozen = []
    monkeypatch.setattr(web_index, "freeze_loaded", lambda full=True: frozen.append(full))
    server = web_index.IndexHolder(url, freeze_gc=True)
    corpus, index_dir = tmp_path / "reports", tmp_path / "index"
    shutil.copytree(ROOT / "indexer" / "samples", corpus)
    build_index([corpus], index_dir, procs=1, words=False)
    sync_backend(url, index_dir)                 # the ../shared reports not among the samples go
    before = _shard_rows(url)
    assert sorted(n for n, rows in before.items() if rows[0]) == [1, 2]      # both shards hold samples
    assert remote.refresh() and remote.search('"集群测试独有的一句话"')["total"] == 0
    assert server.acquire().search('"集群测试独有的一句话"')["total"] == 0 and len(frozen) == 1
    target = sorted(corpus.glob("*.txt"))[0]
    target.write_text(target.read_text(encoding="utf-8") + "\n\n本报告补充说明：集群测试独有的一句话。\n", encoding="utf-8")
    build_index([corpus], index_dir, procs=1, words=False)
    summary = sync_backend(url, index_dir)
    assert len(summary["shards"]) == 1, summary
    (shard, change), = summary["shards"].items()
    assert change == {"written": 1, "deleted": 1}
    after = _shard_rows(url)
    assert [n for n in before if before[n] != after[n]] == [shard]
    assert remote.refresh()
    found = remote.search('"集群测试独有的一句话"')
    assert found["total"] == 1 and found["hits"][0]["text"].endswith("集群测试独有的一句话。")
    assert server.acquire().search('"集群测试独有的一句话"')["total"] == 1 and len(frozen) == 2
    assert server.acquire() and len(frozen) == 2        # no change since: nothing frozen again
    server.close()


def test_a_stopped_shard_is_a_clear_error_not_a_smaller_answer(loaded, cluster):
    from indexer.cluster.nodes import ShardDown

    _, remote = loaded
    url, data, options = cluster
    remote.search("法治")                       # connections open: the shard stops mid-run
    pid = int((data / "shard-2" / "mariadbd.pid").read_text())
    os.kill(pid, signal.SIGTERM)
    for _ in range(200):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    try:
        clock = time.perf_counter()
        with pytest.raises(ShardDown, match="分片 2") as raised:
            remote.search("法治")
        assert raised.value.status == 503 and time.perf_counter() - clock < 5
        with pytest.raises(ShardDown):
            remote.count("双随机 执法")
    finally:
        _script("start", *options)           # starts the stopped shard again
    assert remote.search("法治")["total"] > 0

