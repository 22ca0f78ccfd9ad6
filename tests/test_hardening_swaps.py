"""Swaps never stall a request and never mix two generations (issue 24).

A request holds a searcher on the generation it started with (as Lucene's
``SearcherManager``); a new generation loads in the background, outside any
lock a request takes, and is swapped in by one assignment; a generation that
fails to load is refused and the previous one keeps serving.  Whoosh readers
are per thread: no global lock serialises the word tools.
"""
from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import pytest

from indexer.build import build_index
from indexer.report.corpus import SAMPLES
from indexer.research.trend import trend
from indexer.research import words
from indexer.search.index import Index
from indexer.store.directory.layout import current_generation
from search_web import create_app
from search_web.index import EXTENSION


@pytest.fixture()
def two_builds(tmp_path) -> tuple[Path, Path]:
    """An index of two samples, and a folder of all of them to rebuild it from."""
    few = tmp_path / "few"
    few.mkdir()
    for name in sorted(p.name for p in SAMPLES.glob("*.txt"))[:2]:
        shutil.copy(SAMPLES / name, few / name)
    root = tmp_path / "index"
    build_index([few], root, words=True, near=False)
    return root, SAMPLES


def test_a_searcher_reads_one_generation_whatever_is_swapped_in(two_builds):
    root, everything = two_builds
    index = Index(root)
    try:
        searcher = index.acquire()
        before = (searcher.count("执法"), len(searcher.list_reports()))
        old_total = searcher.search("执法")["total"]
        build_index([everything], root, words=False, near=False)
        assert index.refresh()
        # Every read through the handle is still the old generation, research tools included.
        assert searcher.search("执法")["total"] == old_total
        assert (searcher.count("执法"), len(searcher.list_reports())) == before
        assert trend(searcher, ["执法"])["reports_total"] == 2
        assert not searcher.generation.texts.closed
        fresh = index.acquire()
        assert fresh.search("执法")["total"] > old_total
        old = searcher.generation
        searcher.release()
        searcher.release()                  # twice is once
        assert old.texts.closed             # its last user let go: closed now, not by the collector
        fresh.release()
    finally:
        index.close()


def test_a_slow_load_does_not_hold_up_requests(two_builds, monkeypatch):
    root, everything = two_builds
    app = create_app({"TESTING": True, "INDEX_DIR": root, "WAIT_FOR_SWAP": False})
    client = app.test_client()
    holder = app.extensions[EXTENSION]
    try:
        old_total = client.get("/search.json?q=执法").json["total"]
        loading = threading.Event()
        slow_load = Index.load_fresh

        def load_slowly(self):
            loading.set()
            time.sleep(2)
            return slow_load(self)

        monkeypatch.setattr(Index, "load_fresh", load_slowly)
        build_index([everything], root, words=False, near=False)
        started = time.perf_counter()
        answers = [client.get("/search.json?q=执法").json["total"] for _ in range(5)]
        took = time.perf_counter() - started
        assert loading.wait(5)
        assert answers == [old_total] * 5       # the old generation answers while the new one loads
        assert took < 1.5, took                 # and nobody waited for the load
        holder.wait(30)
        assert client.get("/search.json?q=执法").json["total"] > old_total
    finally:
        holder.close()


def test_a_damaged_generation_is_refused_and_the_previous_one_keeps_serving(two_builds, capfd):
    root, everything = two_builds
    app = create_app({"TESTING": True, "INDEX_DIR": root})
    client = app.test_client()
    holder = app.extensions[EXTENSION]
    try:
        old_total = client.get("/search.json?q=执法").json["total"]
        build_index([everything], root, words=False, near=False)
        meta = current_generation(root) / "meta.json"
        meta.write_bytes(meta.read_bytes()[:100])          # truncated: the build was copied half
        answer = client.get("/search.json?q=执法")
        assert answer.status_code == 200 and answer.json["total"] == old_total
        assert client.get("/search.json?q=执法").json["total"] == old_total     # refused once, not retried
        message = capfd.readouterr().err
        assert "not serving" in message and "python -m indexer build" in message
        assert len([line for line in message.splitlines() if "not serving" in line]) == 1
    finally:
        holder.close()


def test_whoosh_readers_are_per_thread_with_no_global_lock(two_builds):
    root, _ = two_builds
    index = Index(root)
    try:
        gen = index.generation
        assert not hasattr(words, "USING")
        seen = {}

        def use(name):
            seen[name] = (words.reader(gen), words.complete(gen, "执"))

        threads = [threading.Thread(target=use, args=(n,)) for n in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        readers = {id(reader) for reader, _ in seen.values()}
        assert len(readers) == 3                                      # one reader per thread
        assert len({str(found) for _, found in seen.values()}) == 1  # the same answer in each
        assert seen[0][1]                                             # and a real one
    finally:
        index.close()


def test_an_export_is_written_from_one_generation_which_is_let_go_before_it_is_read(two_builds, monkeypatch):
    from search_web import exports

    root, everything = two_builds
    app = create_app({"TESTING": True, "INDEX_DIR": root})
    holder = app.extensions[EXTENSION]
    writing, go_on, got = threading.Event(), threading.Event(), {}
    export_rows = exports.api.export_rows

    def paused_rows(*args):         # the export stops after its first row until the swap is done
        rows = export_rows(*args)
        yield next(rows)
        writing.set()
        go_on.wait(60)
        yield from rows

    def export():       # in a thread of its own, as a server runs each request
        with app.test_client().get("/search.csv?q=执法", buffered=False) as answer:
            got["let_go_before_read"] = old.texts.closed       # written whole; nothing read yet
            got["body"] = answer.get_data()

    try:
        client = app.test_client()
        whole = client.get("/search.csv?q=执法", buffered=True).data
        old = holder.get(refresh=False).generation
        monkeypatch.setattr(exports.api, "export_rows", paused_rows)
        reader = threading.Thread(target=export)
        reader.start()
        assert writing.wait(60)
        build_index([everything], root, words=False, near=False)
        client.get("/search.json?q=执法")
        assert holder.get(refresh=False).generation is not old      # the new one serves
        assert not old.texts.closed                                # the export still writes from the old one
        go_on.set()
        reader.join(60)
        assert got["body"] == whole                                # every row of it, unchanged
        assert got["let_go_before_read"]     # a slow reader of the file holds no generation
    finally:
        go_on.set()
        holder.close()


def _normalized_file(folder: Path, text: str, members: int = 1) -> Path:
    import gzip

    folder.mkdir()
    data = text.encode("utf-8")
    cut = len(data) // members
    with open(folder / "norm.txt.gz", "wb") as out:       # as gzip writes it (more members: as gzip reads them)
        for n in range(members):
            out.write(gzip.compress(data[n * cut:(n + 1) * cut if n < members - 1 else None]))
    return folder


def test_a_segments_normalized_texts_are_read_a_piece_at_a_time(tmp_path, monkeypatch):
    # A server loads a new generation while it answers: one decode of the whole
    # text held the GIL for 30-110 ms at 100k passages, a stall of every request
    # at every swap.  Pieces of 7 compressed bytes cut lines and characters apart.
    from indexer.store.format import segment

    varied = "".join(chr(0x4E00 + n * 7919 % 20000) for n in range(100))    # compresses little
    lines = ["依法行政", "", "双随机、一公开 2022", varied, "", "x"]
    decoded = []
    real_decoder = segment.codecs.getincrementaldecoder

    class Recording:
        def __init__(self):
            self.inner = real_decoder("utf-8")()

        def decode(self, block, final=False):
            decoded.append(len(block))
            return self.inner.decode(block, final)

    monkeypatch.setattr(segment.codecs, "getincrementaldecoder", lambda _name: Recording)
    monkeypatch.setattr(segment, "NORM_READ_CHUNK", 7)
    for members in (1, 3):
        piece = object.__new__(segment.Segment)
        piece.path, piece.size = _normalized_file(tmp_path / f"m{members}", "\n".join(lines), members), len(lines)
        decoded.clear()
        assert piece.norm() == lines
        assert len(decoded) > 10 and max(decoded) < len("\n".join(lines).encode()) / 2   # never all at once


def test_a_normalized_text_cut_short_fails_to_load(tmp_path):
    from indexer.store.format import segment

    folder = _normalized_file(tmp_path / "cut", "依法行政\n执法")
    whole = (folder / "norm.txt.gz").read_bytes()
    (folder / "norm.txt.gz").write_bytes(whole[:-6])
    piece = object.__new__(segment.Segment)
    piece.path, piece.size = folder, 2
    with pytest.raises(EOFError):
        piece.norm()


def test_a_closed_generation_frees_its_normalized_texts_a_slice_at_a_time_in_a_thread(two_builds, monkeypatch):
    # Dropped at once, a generation's normalized texts were freed in one call that
    # held the GIL throughout (70-90 ms at 100k passages), in whichever request let go last.
    from indexer.store.reader import generation as generation_module

    monkeypatch.setattr(generation_module, "FREE_SLICE", 3)
    root, _ = two_builds
    index = Index(root)
    gen = index.generation
    texts, array = gen.norm, gen.norm_array
    assert len(texts) > 10
    freed_by = []
    real_free = generation_module._free_in_slices
    monkeypatch.setattr(generation_module, "_free_in_slices",
                        lambda *a: (freed_by.append(threading.current_thread().name), real_free(*a)))
    index.close()
    assert gen.texts.closed                         # its files at once, as before
    deadline = time.monotonic() + 10
    while texts and time.monotonic() < deadline:
        time.sleep(0.01)
    assert texts == [] and all(item is None for item in array)
    assert freed_by == ["fazhi-free-texts"]
