"""The benchmark harness is correct on a small corpus (its speed is not tested):
the generator is deterministic and read back as written, the query mix is fixed,
the peers agree with the substring scan where they should, the naive Whoosh
setup is shown to miss phrases, and one run produces the report."""
from __future__ import annotations

import json

import pytest
from conftest import SAMPLES, shared_path

from bench.corpus import ensure_corpus, paragraph_pool, plan_reports
from bench.measure import PeakRss, percentile
from bench.peers import get_peer
from bench.queries import make_queries
from bench.report import crossing
from bench.truth import compare

TINY = 400


@pytest.fixture(scope="module")
def pool() -> list[str]:
    return paragraph_pool([SAMPLES])


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, pool):
    return ensure_corpus("tiny", data=tmp_path_factory.mktemp("data"), sources=[SAMPLES], log=lambda *a: None)


@pytest.fixture(scope="module")
def passages(corpus) -> list[dict]:
    return corpus.load_passages()


@pytest.fixture(scope="module")
def mix(pool) -> dict:
    return make_queries(40, basis_passages=TINY, pool=pool)


@pytest.fixture(scope="module")
def scan(passages):
    peer = get_peer("scan")
    peer.open(None, passages)
    return peer


def test_generator_is_deterministic_and_grows_by_prefix(pool):
    small, again, large = plan_reports(pool, 300), plan_reports(pool, 300), plan_reports(pool, 900)
    assert [r.text() for r in small] == [r.text() for r in again]
    assert [r.text() for r in large[:len(small)]] == [r.text() for r in small]
    assert sum(r.passages for r in large) >= 900


def test_corpus_reads_back_as_generated(corpus, passages):
    # ensure_corpus raises when the reader disagrees with the plan; check the rows too
    assert corpus.passages == len(passages) >= TINY
    assert len({p["pid"] for p in passages}) == len(passages)
    assert all(p["agency"] and p["province"] and p["year"] for p in passages)
    report = next(corpus.report_dir.glob("*.txt")).read_text(encoding="utf-8")
    assert report.splitlines()[0].endswith("报告") and "\n一、" in report


def test_corpus_is_cached(corpus, tmp_path):
    again = ensure_corpus("tiny", data=corpus.folder.parent, sources=[SAMPLES], log=pytest.fail)
    assert again.passages == corpus.passages


def test_realworld_paragraphs_join_the_pool(pool):
    realworld = shared_path("realworld")
    bigger = paragraph_pool([SAMPLES, realworld])
    assert len(set(bigger)) > 10 * len(set(pool))


def test_query_mix_is_fixed_distinct_and_mixed(pool, mix):
    assert make_queries(40, basis_passages=TINY, pool=pool) == mix
    queries = mix["queries"]
    strings = [q["q"] for q in queries + mix["warmup"]]
    assert len(queries) == 40 and len(set(strings)) == len(strings)
    assert {q["kind"] for q in queries} == {"word", "phrase", "multi"}
    assert {q["freq"] for q in queries} == {"common", "rare"}
    assert sum(1 for q in queries if q["filters"]) == 20
    phrases = [q for q in queries if q["kind"] == "phrase"]
    assert {len(q["terms"][0]) for q in phrases} == set(range(1, 7))
    assert all(q["q"] == f'"{q["terms"][0]}"' for q in phrases)


def test_scan_is_the_substring_rule(scan, passages):
    query = {"q": '"法治"', "kind": "phrase", "terms": ["法治"], "filters": {"year": ["2020"]}}
    expected = [i for i, p in enumerate(passages) if "法治" in p["text"].replace(" ", "") and p["year"] == 2020]
    assert scan.matches(query) == expected
    answer = scan.search(query)
    assert answer["total"] == len(expected)
    assert sum(f["count"] for f in answer["facets"]["year"]) == len(expected)
    assert len(answer["hits"]) == min(10, len(expected))


@pytest.fixture(scope="module")
def truth(scan, mix):
    return {q["id"]: set(scan.matches(q)) for q in mix["queries"]}


def test_fts5_agrees_with_the_scan(tmp_path_factory, passages, mix, scan, truth):
    peer = get_peer("fts5")
    workdir = tmp_path_factory.mktemp("fts5")
    peer.build(iter(passages), workdir)
    peer.open(workdir, None)
    for query in mix["queries"]:      # every kind, short terms (LIKE) and long (MATCH)
        assert sorted(peer.matches(query)) == sorted(truth[query["id"]]), query
        answer, expected = peer.search(query), scan.search(query)
        assert answer["total"] == expected["total"], query
        assert answer["facets"] == expected["facets"] or _same_counts(answer, expected), query
    peer.close()


def _same_counts(a: dict, b: dict) -> bool:
    as_dict = lambda x: {k: {e["value"]: e["count"] for e in v} for k, v in x["facets"].items()}
    return as_dict(a) == as_dict(b)


def test_naive_whoosh_misses_phrases(tmp_path_factory, passages, mix, truth):
    peer = get_peer("whoosh")
    workdir = tmp_path_factory.mktemp("whoosh")
    peer.build(iter(passages), workdir)
    peer.open(workdir, None)
    phrases = [q for q in mix["queries"] if q["kind"] == "phrase"]
    found = {q["id"]: peer.matches(q) for q in phrases}
    result = compare(truth, found)
    assert result["precision"] == 1.0          # what it returns does contain the phrase …
    assert result["missed"] > 0 and result["recall"] < 0.9   # … but it misses many
    # a common multi-character phrase its analyzer splits: nothing found
    query = {"q": '"法治政府建设"', "kind": "phrase", "terms": ["法治政府建设"], "filters": {}}
    assert truth_count(passages, "法治政府建设") > 0 and peer.matches(query) == []
    peer.close()


def truth_count(passages: list[dict], phrase: str) -> int:
    return sum(1 for p in passages if phrase in p["text"])


def test_compare_counts_missed_and_wrong():
    result = compare({1: {1, 2, 3}, 2: set()}, {1: [2, 3, 4], 2: []})
    assert (result["missed"], result["wrong"], result["exact"]) == (1, 1, 1)
    assert result["recall"] == pytest.approx(2 / 3) and result["precision"] == pytest.approx(2 / 3)


def test_percentiles_and_peak_rss():
    values = list(range(1, 101))
    assert (percentile(values, 50), percentile(values, 95), percentile(values, 99)) == (50, 95, 99)
    with PeakRss() as peak:
        block = bytearray(64 * 2**20)
        block[::4096] = b"\1" * len(block[::4096])
        del block
    assert peak.peak >= 64 * 2**20


def test_crossing_interpolates_and_extrapolates():
    run = lambda n, p95: {"corpus": {"passages": n}, "ours": {"query": {"latency": {"p95": p95}}}}
    assert "150,000 passages" in crossing([run(100_000, 100), run(200_000, 300)])
    text = crossing([run(10_000, 10), run(100_000, 100)])
    assert "200,000 passages" in text and "extrapolated" in text


def test_one_run_writes_the_report(tmp_path, corpus):
    from bench.__main__ import main

    out = tmp_path / "BENCH.md"
    argv = ["--sizes", "tiny", "--queries", "20", "--peers", "scan,fts5", "--out", str(out),
            "--work", str(tmp_path / "work"), "--data", str(corpus.folder.parent), "--sources", str(SAMPLES)]
    assert main(argv) == 0
    text = out.read_text(encoding="utf-8")
    for needed in ("## Headline at tiny", "substring scan", "FTS5", "**ours**", "p95 ms", "## Targets",
                   "python -m bench --sizes tiny", "Machine:", "`--no-words` build"):
        assert needed in text
    result = json.loads((tmp_path / "work" / "tiny" / "result.json").read_text(encoding="utf-8"))
    assert result["ours"]["exactness"]["missed"] == 0 and result["ours"]["exactness"]["wrong"] == 0
    assert result["ours"]["query"]["answers_with_facets"] == 20


def test_the_fault_run_passes_on_the_samples(capsys):
    """``python -m bench.fault``, small: a server under load, rebuilt, swapped,
    killed and restarted answers every query as before, with nothing left over."""
    from bench import fault

    code = fault.main(["--corpus", str(SAMPLES), "--clients", "4", "--seconds", "2", "--swaps", "10"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0, json.dumps(report, ensure_ascii=False)
    assert report["load"]["requests"] > 0 and report["load"]["errors"] == 0 and report["load"]["changed"] == 0
    assert report["swaps"]["stale_files_after"] == 0


def test_the_fault_run_counts_files_of_generations_no_longer_served(tmp_path):
    from bench.fault import stale_files

    index = tmp_path / "index"
    old, current = index / "gen-1" / "whoosh" / "a.seg", index / "gen-2" / "whoosh" / "a.seg"
    elsewhere = [str(tmp_path / "gen-1" / "x"), str(index / "segments" / "s1" / "texts.npy"), "/usr/lib/x.so"]
    assert stale_files([str(current), *elsewhere], index, "gen-2") == 0
    assert stale_files([str(old), str(old), str(current), *elsewhere], index, "gen-2") == 2


def test_the_ceiling_measures_each_part_on_the_same_passages(capsys):
    """``python -m bench.ceiling``: jieba, Whoosh's writer and the rest of the
    build each cost CPU on the same passages, and the ceiling follows from them."""
    from bench import ceiling

    assert ceiling.main(["--corpus", str(SAMPLES), "--runs", "1"]) == 0
    report = json.loads(capsys.readouterr().out)
    cpu = report["cpu_s"]
    assert report["passages"] > 100 and all(cpu[part] > 0 for part in ceiling.PARTS)
    assert report["ceiling_with_whoosh_words"] == round(cpu["jieba"] / sum(cpu.values()), 3)
    assert report["ceiling_with_whoosh_words"] < report["ceiling_if_whoosh_were_free"] < 1


@pytest.fixture(scope="module")
def samples_index(tmp_path_factory):
    from indexer.api import build_index

    path = tmp_path_factory.mktemp("probe") / "index"
    build_index(None, path, words=False)
    return path


def test_the_route_probe_finds_no_5xx_on_the_samples(samples_index, capsys):
    """``python -m bench.probe_routes``, small: random odd requests over every route, no 5xx, no crash."""
    from bench import probe_routes

    code = probe_routes.main(["--index", str(samples_index), "--requests", "150", "--seed", "3"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0, json.dumps(report["first_failures"], ensure_ascii=False)
    assert sum(report["statuses"].values()) == 150 and report["5xx"] == report["exception"] == 0
    assert report["statuses"].get("200", 0) > 0 and report["statuses"].get("400", 0) > 0


def test_the_damage_probe_finds_no_wrong_answer_on_the_samples(samples_index, capsys):
    """``python -m bench.probe_damage`` on a few files, a compressed block among them:
    every variant answers as before or is refused, by the server (before and
    after its reading of every byte) and by the library."""
    from bench import probe_damage

    code = probe_damage.main(["--index", str(samples_index), "--files", "segments/*/trigrams.docs.blosc",
                              "--files", "segments/*/postings.alphabet.npy"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0, json.dumps(report["not_same_nor_refused"], ensure_ascii=False)
    assert report["files"] == 2 and report["variants"] == 16 and report["failing"] == 0
    assert report["library"]["refused"] >= 2 and set(report["library"]) <= {"same", "refused"}
    assert report["serving"]["refused"] >= 2 and set(report["serving"]) <= {"same", "refused"}


def test_the_damage_probe_tells_a_wrong_answer_from_a_refusal():
    from bench.probe_damage import classify_library, classify_server

    clean = [("/a", 200, {"hits": [1]}), ("/b", 200, {"hits": [2]})]
    assert classify_server(clean, clean) == "same"
    assert classify_server([("/a", 503, {}), ("/b", 200, {"hits": [2]})], clean) == "refused"
    assert classify_server([("/a", 200, {"hits": []}), ("/b", 503, {})], clean) == "wrong"
    assert classify_server([("/a", 500, {}), ("/b", 200, {"hits": [2]})], clean) == "5xx"
    library = [("q", "ok", [1, [["p1", "s"]]])]
    assert classify_library([("q", "refused", "IndexDamaged")], library) == "refused"
    assert classify_library([("q", "ok", [0, []])], library) == "wrong"
    assert classify_library([("q", "crash", "KeyError")], library) == "crash"


def test_swaps_keeps_its_idle_connections_open_when_the_server_closes_them():
    # bench.swaps's 150 idle connections must be open in every window of its
    # phase: a server closes a silent one after its channel_timeout (30 s).
    import socket
    import threading
    import time
    from types import SimpleNamespace

    from bench.swaps import IdleConnections

    listener = socket.create_server(("127.0.0.1", 0))
    accepted, stop = [], threading.Event()

    def serve():                                # closes every second connection at once
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            accepted.append(conn)
            if len(accepted) % 2:
                conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    idle = IdleConnections(SimpleNamespace(host="127.0.0.1", port=listener.getsockname()[1]), 4)
    try:
        deadline = time.monotonic() + 10
        while idle.reopened < 3 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert idle.reopened >= 3
        assert all(s.fileno() >= 0 for s in idle.sockets)
    finally:
        idle.stop()
        stop.set()
        thread.join(5)
        listener.close()
        for conn in accepted:
            conn.close()
