"""The server keeps its resources flat and a build leaves nothing behind:
each swap closes the generation it replaces (once its last request ends), a
build's worker processes die with it, and what a killed build left is removed
by the next one."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from indexer.build import build_index
from indexer.search.index import Index
from indexer.store.directory.layout import CURRENT, current_generation, swap_in

ROOT = Path(__file__).resolve().parents[1]

SWAPS = textwrap.dedent("""
    import json, os, resource, shutil, sys
    from pathlib import Path
    resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))
    from search_web import create_app
    from indexer.store.directory.layout import current_generation, swap_in

    def link_but_meta(source, target):
        # The files hard-linked (quick), meta.json copied: each generation has its own lock.
        (shutil.copy2 if source.endswith("meta.json") else os.link)(source, target)

    root = Path(sys.argv[1])
    client = create_app({"TESTING": True, "INDEX_DIR": root, "FREEZE_GC": sys.argv[2] == "freeze"}).test_client()
    statuses, open_files = [], []
    for n in range(200):
        # A new generation as a build makes it (hard links: the same files, quickly).
        new = root / f"gen-29990101T000000-{os.getpid()}-{n}"
        shutil.copytree(current_generation(root), new, copy_function=link_but_meta)
        swap_in(root, new)
        hits = client.get("/search.json?q=执法")
        report = client.get("/r/" + hits.json["hits"][0]["report_id"] + ".json")
        statuses += [hits.status_code, report.status_code]
        open_files.append(len(os.listdir("/proc/self/fd")))
    print(json.dumps({"statuses": sorted(set(statuses)), "open_files": open_files}))
""")


@pytest.fixture(scope="module")
def small_index(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("swap-index")
    build_index(None, path, words=False)
    return path


@pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="counts open files in /proc/self/fd (Linux)")
@pytest.mark.parametrize("collector", ["as is", "freeze"])   # freeze: as served (search_web.index)
def test_200_swaps_under_64_open_files_keep_the_server_answering(small_index, collector):
    done = subprocess.run([sys.executable, "-c", SWAPS, str(small_index), collector], capture_output=True, text=True,
                          timeout=240, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["statuses"] == [200]
    files = result["open_files"]
    assert len(files) == 200
    assert max(files[10:]) <= files[10] + 1, files     # flat: a leak would add two per swap


def link_but_meta(source, target):
    (shutil.copy2 if source.endswith("meta.json") else os.link)(source, target)


def test_a_request_keeps_its_generation_until_it_ends_then_it_is_closed(small_index):
    index = Index(small_index)
    try:
        with index.using() as old:
            first_text = old.texts[0]
            new = small_index / f"gen-29990102T000000-{os.getpid()}-1"
            shutil.copytree(current_generation(small_index), new, copy_function=link_but_meta)
            swap_in(small_index, new)
            assert index.refresh()
            assert old.texts[0] == first_text            # still readable mid-request
            assert not old.texts.closed
        assert old.texts.closed                          # closed when the request ended
        assert index.search("执法")["total"] > 0
    finally:
        index.close()


WRITER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from indexer.store.writer.documents import DocumentWriter
    writer = DocumentWriter(Path(sys.argv[1]) / "whoosh", 2, True)
    print("ready", flush=True)
    time.sleep(120)
""")


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc").exists(), reason="finds the processes in /proc (Linux)")
def test_whoosh_writer_processes_die_with_a_build_killed_by_sigkill(tmp_path):
    build = subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path)], stdout=subprocess.PIPE, text=True,
                             cwd=ROOT)
    try:
        assert build.stdout.readline().strip() == "ready"
        workers = _children(build.pid)
        assert len(workers) >= 2, workers               # Whoosh's two writer processes
        build.send_signal(signal.SIGKILL)
        build.wait(10)
        deadline = time.monotonic() + 10
        while any(map(_alive, workers)) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(map(_alive, workers)), [w for w in workers if _alive(w)]
    finally:
        build.kill()
        build.wait()


def test_the_next_build_removes_what_a_killed_build_left(tmp_path):
    index = tmp_path / "index"
    build_index(None, index, words=False)
    dead = _dead_pid()
    stale_link = index / f".{CURRENT}.{dead}"
    stale_link.symlink_to("gen-nowhere")                 # killed between link and swap
    half_built = index / f"gen-20200101T000000-{dead}-1"
    (half_built / "whoosh").mkdir(parents=True)          # killed midway: no meta.json
    build_index(None, index, words=False)
    assert not stale_link.is_symlink()
    assert not half_built.exists()
    assert Index(index).search("执法")["total"] > 0


def _dead_pid() -> int:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(done.stdout)


def test_a_build_that_fails_leaves_the_previous_index_serving_and_nothing_behind(tmp_path, monkeypatch):
    from indexer.store.writer import generation_writer

    index = tmp_path / "index"
    build_index(None, index, words=False)
    serving = current_generation(index)
    before = sorted(p.name for p in index.iterdir())

    def fails(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(generation_writer, "write_segment", fails)
    with pytest.raises(OSError):
        build_index(None, index, words=True)
    assert current_generation(index) == serving
    assert sorted(p.name for p in index.iterdir()) == before
    assert Index(index).search("执法")["total"] > 0


def test_a_build_does_not_remove_a_generation_a_reader_still_has_open(tmp_path):
    index_dir = tmp_path / "index"
    build_index(None, index_dir, words=False)
    reader = Index(index_dir)
    held = reader.generation.path
    report_id = reader.search("执法")["hits"][0]["report_id"]
    for _ in range(3):                                   # the held one falls out of the newest two
        build_index(None, index_dir, words=False)
    assert held.exists()
    assert reader.get_report(report_id)["passages"]        # a slow request on it still answers
    reader.close()
    build_index(None, index_dir, words=False)
    assert not held.exists()


FROZEN = textwrap.dedent("""
    import gc, json, sys
    from search_web import create_app
    from search_web.index import EXTENSION

    app = create_app({"INDEX_DIR": sys.argv[1]})          # as served: not TESTING
    assert app.test_client().get("/search.json?q=执法").status_code == 200
    gen = app.extensions[EXTENSION].get(refresh=False).generation
    tracked = {id(o) for o in gc.get_objects()}
    print(json.dumps({"norm_tracked": id(gen.norm) in tracked, "array_tracked": id(gen.norm_array) in tracked,
                      "frozen": gc.get_freeze_count()}))
""")


def test_a_served_index_is_kept_out_of_the_collectors_full_passes(small_index):
    # Its passage lists made every full collection walk each passage (13 ms at 100k
    # passages), landing on a random request; the server freezes them after loading.
    done = subprocess.run([sys.executable, "-c", FROZEN, str(small_index)], capture_output=True, text=True,
                          timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert not result["norm_tracked"] and not result["array_tracked"] and result["frozen"] > 0
