"""Fast to start (issue 27): the command line imports only what a command needs,
a quoted phrase is searched without jieba, a query is cut as the build cuts
without loading jieba's whole dictionary, and ``/healthz`` says when a server is warm."""
from __future__ import annotations

import json
import subprocess
import sys
import time

import numpy as np
import pytest

from conftest import ROOT, SAMPLES

pytest_plugins = ["web_fixtures"]


def _run(code: str) -> dict:
    """``code`` run in a fresh interpreter; it prints a JSON line, read back."""
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


HEAVY = ("jieba", "pkg_resources", "whoosh", "numpy", "indexer.research", "indexer.store", "openpyxl",
         "trafilatura", "pdfminer", "docx", "blosc")


def test_importing_the_command_line_loads_none_of_the_heavy_libraries():
    loaded = _run(f"import json, sys, indexer.cli, indexer.api; "
                  f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))")
    assert loaded == []


def test_a_quoted_phrase_is_searched_without_jieba(web_index):
    code = ("import json, sys; from click.testing import CliRunner; from indexer.cli import main; "
            f"r = CliRunner().invoke(main, ['search', '\"双随机\"', '--index', {str(web_index)!r}, '--json']); "
            "print(json.dumps({'code': r.exit_code, 'total': json.loads(r.output)['total'], "
            "'jieba': 'jieba' in sys.modules, 'whoosh': 'whoosh' in sys.modules, "
            "'research': 'indexer.research' in sys.modules}))")
    found = _run(code)
    assert found == {"code": 0, "total": 5, "jieba": False, "whoosh": False, "research": False}


def test_a_word_query_loads_jieba_without_pkg_resources(web_index):
    code = ("import json, sys; from indexer.api import open_index; "
            f"ix = open_index({str(web_index)!r}); r = ix.search('双随机抽查'); "
            "print(json.dumps({'total': r['total'], 'terms': r['terms'], 'jieba': 'jieba' in sys.modules, "
            "'pkg_resources': 'pkg_resources' in sys.modules}))")
    found = _run(code)
    assert found["jieba"] and not found["pkg_resources"]
    assert found["terms"] == ["双随机", "抽查"] and found["total"] > 0


def test_a_query_is_cut_as_the_whole_dictionary_cuts_it():
    """The SQLite copy of jieba's dictionary gives the same words as the
    dictionary in memory (domain words included), on every line of the samples."""
    from indexer.analysis import jieba_words, normalize

    lines = [normalize(line) for path in sorted(SAMPLES.glob("*.txt"))
             for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    light = jieba_words._light_tokenizer()   # noqa: SLF001  (the copy itself, even when the full one is loaded)
    full = jieba_words.segmenter()
    assert isinstance(light.FREQ, jieba_words.FrequencyFile)
    assert [list(light.cut(t, HMM=False)) for t in lines] == [list(full.cut(t, HMM=False)) for t in lines]
    assert "双随机一公开" in light.cut("全面推行双随机一公开监管", HMM=False)


def test_healthz_is_503_until_the_index_is_warm_then_names_the_generation(web_index):
    from indexer.api import check_index
    from search_web import create_app

    app = create_app({"TESTING": True, "INDEX_DIR": web_index})
    client = app.test_client()
    first = client.get("/healthz")
    assert first.status_code == 503
    assert first.get_json() == {"ok": True, "ready": False, "generation": None, "passages": None}
    deadline = time.monotonic() + 120
    while (answer := client.get("/healthz")).status_code == 503 and time.monotonic() < deadline:
        time.sleep(0.2)
    meta = check_index(web_index)
    assert answer.status_code == 200
    assert answer.get_json() == {"ok": True, "ready": True, "generation": (web_index / "CURRENT").resolve().name,
                                 "passages": meta["counts"]["passages"]}


def test_a_server_of_an_index_without_words_is_warm_without_jiebas_whole_dictionary(tmp_path):
    """Such an index has no key terms nor related passages: a server never needs
    jieba's whole dictionary (75 MB, seconds of a loaded start); queries are cut with its SQLite copy."""
    from indexer.api import build_index

    build_index(None, tmp_path / "index", words=False)
    found = _run("import json, time; from search_web import create_app; "
                 "from indexer.analysis import jieba_words; "
                 f"client = create_app({{'TESTING': True, 'INDEX_DIR': {str(tmp_path / 'index')!r}}}).test_client(); "
                 "deadline = time.monotonic() + 120\n"
                 "while client.get('/healthz').status_code == 503 and time.monotonic() < deadline: time.sleep(0.1)\n"
                 "page = client.get('/search.json?q=行政执法').status_code; "
                 "print(json.dumps({'ready': client.get('/healthz').status_code, 'page': page, "
                 "'whole': jieba_words._full is not None}))")
    assert found == {"ready": 200, "page": 200, "whole": False}


def test_healthz_says_not_ok_without_an_index(tmp_path):
    from search_web import create_app

    client = create_app({"TESTING": True, "INDEX_DIR": tmp_path / "none"}).test_client()
    deadline = time.monotonic() + 30
    while (answer := client.get("/healthz")).get_json()["ok"] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert answer.status_code == 503 and answer.get_json()["ok"] is False and answer.get_json()["ready"] is False


@pytest.mark.parametrize("q", ['"双随机"', "双随机 抽查", '"全面推进依法行政"', "依法行政 -阳江", "法治政府建设年度报告",
                               '"谁执法谁普法"', "同句(执法 培训)", "title:卫生健康局 执法", "执法 培训 次数"])
def test_an_index_opened_lazily_answers_as_a_preloaded_one(web_index, q):
    """The command line's index (``open_index_lazily``: normalized texts made
    per passage when asked) answers exactly as the server's (all loaded)."""
    from indexer.api import open_index, open_index_lazily

    def answer(index) -> dict:
        try:
            result = index.search(q, per_page=50)
            return {k: v for k, v in result.items() if k != "took_ms"}
        finally:
            index.close()
    lazy, loaded = answer(open_index_lazily(web_index)), answer(open_index(web_index))
    assert lazy == loaded and loaded["total"] > 0


def test_normalized_rows_read_everything_once_many_are_asked_for(web_index, monkeypatch):
    from indexer.api import open_index, open_index_lazily
    from indexer.store.reader.generation import NormalizedRows

    monkeypatch.setattr(NormalizedRows, "AT_LEAST", 10)

    lazy, loaded = open_index_lazily(web_index), open_index(web_index)
    try:
        rows, full = lazy.generation.norm, loaded.generation.norm
        assert len(rows) == len(full) > 100
        assert [rows[seq] for seq in range(len(full))] == list(full)
        assert rows._all is not None              # noqa: SLF001  (read at once past a tenth)
    finally:
        lazy.close()
        loaded.close()


@pytest.mark.parametrize("q", ['"双随机"', "双随机 抽查", '"全面推进依法行政"', "依法行政 -阳江", "执法 次数"])
def test_an_archive_too_large_to_hold_its_normalized_texts_answers_as_one_that_holds_them(web_index, q,
                                                                                         monkeypatch):
    """Past ``NORM_IN_MEMORY`` passages a server makes each normalized text from
    its display text when a query reads it, and never reads them all."""
    from indexer.api import open_index
    from indexer.store.reader import generation
    from indexer.store.reader.normalized import NormalizedRows

    held = open_index(web_index)
    monkeypatch.setattr(generation, "NORM_IN_MEMORY", 10)
    made = open_index(web_index)
    try:
        rows = made.generation.norm
        assert isinstance(rows, NormalizedRows) and not isinstance(held.generation.norm, NormalizedRows)
        strip = lambda result: {k: v for k, v in result.items() if k != "took_ms"}  # noqa: E731
        assert strip(made.search(q, per_page=50)) == strip(held.search(q, per_page=50))
        every = list(held.generation.norm)
        assert rows[np.arange(len(every))] == every and [rows[n] for n in range(0, len(every), 7)] == every[::7]
        assert rows._all is None                  # noqa: SLF001  (never read at once)
    finally:
        made.close()
        held.close()


def test_the_table_normalizes_as_normalize_does():
    """Every character of the samples, and the kinds that map to nothing or to
    several characters, one text at a time and many at once."""
    from indexer.analysis import normalize
    from indexer.report.corpus import read_reports
    from indexer.store.reader.normalized import CharTable

    texts = [p.text for r in read_reports([SAMPLES]).reports for p in r.passages]
    texts += ["2023 年", "①②", "", "ＡＢ　Ｃ", " ", "法治政府建設\u200b", "Ⅱ、⑵…"]
    table = CharTable()
    assert table.normalize_many(texts) == [normalize(t) for t in texts]
    assert [table.normalize(t) for t in texts] == [normalize(t) for t in texts]
    assert CharTable().normalize_many(texts[-7:]) == [normalize(t) for t in texts[-7:]]


def test_a_few_reports_are_cut_without_loading_the_whole_dictionary():
    """An update's few reports are cut with the SQLite copy; past ``LIGHT_CHARS``
    characters the whole dictionary is loaded (it costs more than a few reports' cutting)."""
    found = _run("import json; from indexer.analysis import jieba_words as jw; "
                 "a = jw.segmenter_for(100); b = jw.segmenter_for(jw.LIGHT_CHARS); "
                 "print(json.dumps([type(a.FREQ).__name__, type(b.FREQ).__name__, jw.segmenter_for(1) is b]))")
    assert found == ["FrequencyFile", "dict", True]


def test_a_full_builds_one_segment_gives_its_columns_as_they_are(web_index):
    """One segment in the table's order, nothing deleted: each row is its own
    passage number and the columns are not copied row by row (a province's
    archive: 1.3 M rows, 14 columns, at every start)."""
    from indexer.store.directory.layout import current_generation, read_meta, segments_folder
    from indexer.store.format.segment import Segment
    from indexer.store.reader.segment_order import GlobalOrder

    meta = read_meta(current_generation(web_index))
    assert len(meta["segments"]) == 1
    segment = Segment(segments_folder(web_index) / meta["segments"][0]["name"])
    order = GlobalOrder([segment], [set()], {r["id"]: i for i, r in enumerate(meta["reports"])})
    assert (order.seq_maps[0] == np.arange(segment.size)).all()
    columns = order.columns(meta["vocab"])
    assert columns["year"] is segment.columns["year"] and columns["length"] is segment.columns["length"]
    deleted = GlobalOrder([segment], [{meta["reports"][0]["id"]}],
                          {r["id"]: i for i, r in enumerate(meta["reports"][1:])})   # one report gone: copied
    assert deleted.columns(meta["vocab"])["year"] is not segment.columns["year"]
    assert (deleted.seq_maps[0] >= 0).sum() == segment.size - (segment.columns["report"] == 0).sum()
