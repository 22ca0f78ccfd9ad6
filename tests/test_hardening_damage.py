"""Damage detected, never served; one build at a time (issue 24).

Every file of a generation carries a checksum in its meta: a changed size is
refused at open, changed contents by ``indexer check --deep`` and by a server
before it swaps a generation in; a truncated ``meta.json`` is a one-line
error; a dead Whoosh writer fails the build; a second build into one index
fails clearly; file names cannot forge build output lines; a compressed block
of the postings is checked against its CRC-32 whenever it is read.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import psutil
import pytest

from indexer.build import build_index
from indexer.store.directory.lock import WRITE_LOCK, IndexLocked, writer_lock
from indexer.errors import IndexDamaged
from indexer.report.corpus import SAMPLES
from indexer.search.index import Index
from indexer.store.format import checksums
from indexer.store.directory.layout import current_generation, segments_folder

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture()
def index_dir(tmp_path) -> Path:
    build_index(None, tmp_path / "index", words=False)
    return tmp_path / "index"


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "indexer", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=300)


def _segment_file(root: Path, name: str) -> Path:
    return next(p for p in segments_folder(root).rglob(name))


def _flip_byte(path: Path, at: int = -10) -> None:
    data = bytearray(path.read_bytes())
    data[at] ^= 0x55
    path.write_bytes(bytes(data))


def test_every_file_is_sealed_and_a_clean_index_checks_ok(index_dir):
    meta = json.loads((current_generation(index_dir) / "meta.json").read_text(encoding="utf-8"))
    sealed = meta["checksums"]
    assert any(name.startswith("whoosh/") for name in sealed["files"])
    assert sealed["segments"] and all((segments_folder(index_dir) / s / checksums.SEGMENT_TABLE).exists()
                                      for s in sealed["segments"])
    done = _cli("check", "--index", str(index_dir), "--deep")
    assert done.returncode == 0 and done.stdout.startswith("ok:"), done.stderr


def test_a_truncated_file_is_refused_at_open(index_dir):
    postings = next(p for p in segments_folder(index_dir).rglob("*") if p.is_file() and "postings" in p.name)
    postings.write_bytes(postings.read_bytes()[:-7])
    with pytest.raises(IndexDamaged, match="damaged index file"):
        Index(index_dir)
    done = _cli("search", "执法", "--index", str(index_dir))
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert "damaged index file" in done.stderr and "build" in done.stderr


def test_a_flipped_byte_is_found_by_the_deep_check(index_dir):
    texts = _segment_file(index_dir, "texts.bin")
    _flip_byte(texts)
    Index(index_dir).close()                               # same size: opening does not read it all
    assert _cli("check", "--index", str(index_dir)).returncode == 0
    deep = _cli("check", "--index", str(index_dir), "--deep")
    assert deep.returncode == 1 and "texts.bin" in deep.stderr and "Traceback" not in deep.stderr
    assert len(deep.stderr.strip().splitlines()) <= 2      # Error: … and Hint: …


def test_a_missing_file_is_refused(index_dir):
    (current_generation(index_dir) / "near_duplicates.npz").unlink()
    with pytest.raises(IndexDamaged, match="near_duplicates.npz: missing"):
        Index(index_dir)


def test_a_truncated_meta_is_a_one_line_error(index_dir):
    meta = current_generation(index_dir) / "meta.json"
    meta.write_bytes(meta.read_bytes()[:200])
    for args in (["search", "执法"], ["check"]):
        done = _cli(*args, "--index", str(index_dir))
        assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
        assert "meta.json" in done.stderr and "build" in done.stderr
    assert build_index(None, index_dir, words=False)["passages"] > 0     # and a build repairs it


def test_a_second_build_into_one_index_fails_clearly(index_dir):
    with writer_lock(index_dir):
        with pytest.raises(IndexLocked, match="another build"):
            build_index(None, index_dir, words=False)
        done = _cli("build", "--index", str(index_dir), "--no-words", "--quiet")
        assert done.returncode == 1 and "another build" in done.stderr and "Traceback" not in done.stderr
    assert (index_dir / WRITE_LOCK).exists()
    assert build_index(None, index_dir, words=False)["passages"] > 0      # free again once it ends


def test_a_dead_word_writer_fails_the_build_and_nothing_is_swapped_in(tmp_path, monkeypatch):
    from indexer.store.writer import documents

    root = tmp_path / "index"
    build_index(None, root, words=True, near=False)
    serving = current_generation(root)
    kept = documents._WordsWriter._feed

    def lose_one(self, fields, texts, progress):      # as a worker killed mid-build: documents lost, exit 0
        kept(self, fields[1:], texts[1:], progress)

    monkeypatch.setattr(documents._WordsWriter, "_feed", lose_one)
    changed = tmp_path / "changed"
    shutil.copytree(SAMPLES, changed)
    (changed / "extra.txt").write_text("某区司法局2024年法治政府建设情况报告\n\n一、主要举措\n\n全面推行行政执法公示制度。\n",
                                       encoding="utf-8")
    with pytest.raises(documents.WordIndexIncomplete, match="word index holds"):
        build_index([changed], root, words=True, near=False)
    assert current_generation(root) == serving            # nothing swapped in
    assert sorted(p.name for p in root.glob("gen-*")) == [serving.name]     # nothing left behind


def test_file_names_with_line_breaks_cannot_forge_build_output(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "x.txt\nindexed 999 reports.txt").write_bytes(b"")          # empty: skipped, named in the output
    done = _cli("build", str(folder), "--index", str(tmp_path / "index"), "--no-words", "--quiet")
    lines = done.stderr.splitlines() + done.stdout.splitlines()
    assert not any(line.startswith("indexed 999") for line in lines), lines
    assert any("\\nindexed 999" in line for line in lines)


def test_a_server_started_on_a_damaged_index_says_so(index_dir):
    from search_web import create_app

    (current_generation(index_dir) / "near_duplicates.npz").unlink()
    answer = create_app({"TESTING": True, "INDEX_DIR": index_dir}).test_client().get("/search.json?q=执法")
    assert answer.status_code == 503
    assert "损坏" in answer.json["error"] and "build" in answer.json["hint"]


def test_a_server_reads_every_byte_before_it_first_serves(index_dir):
    from search_web import create_app

    _flip_byte(_segment_file(index_dir, "texts.bin"))       # same size: only the contents tell
    client = create_app({"TESTING": True, "INDEX_DIR": index_dir}).test_client()
    for _ in range(2):                                      # refused, and the refusal remembered
        answer = client.get("/search.json?q=执法")
        assert answer.status_code == 503 and "texts.bin" in answer.json["error"]
    build_index(None, index_dir, words=False)               # a rebuild (from scratch: the damage is seen)
    assert client.get("/search.json?q=执法").status_code == 200


def test_a_server_that_verifies_in_the_background_stops_serving_a_damaged_index(index_dir, monkeypatch):
    """``python -m search_web`` serves once every size is checked and reads every
    byte meanwhile (a province's archive: seconds); a changed byte found, every
    request gets the damaged-index page and ``/healthz`` is not ok."""
    import threading

    from search_web import create_app
    from search_web.health import warmer
    from search_web.index import EXTENSION

    _flip_byte(_segment_file(index_dir, "texts.bin"))
    reading, crc_of = threading.Event(), checksums.crc_of
    monkeypatch.setattr(checksums, "crc_of", lambda path: (path.name != "texts.bin" or reading.wait(30)) and crc_of(path))
    app = create_app({"TESTING": True, "INDEX_DIR": index_dir, "VERIFY_IN_BACKGROUND": True})
    client = app.test_client()
    assert client.get("/search.json?q=执法").status_code == 200     # served while the bytes are read
    reading.set()
    assert app.extensions[EXTENSION].verified(timeout=60) is False
    answer = client.get("/search.json?q=执法")
    assert answer.status_code == 503 and "texts.bin" in answer.json["error"]
    assert client.get("/healthz").status_code == 503      # starts the warm-up, which meets the damage
    for _ in range(400):
        if warmer(app).failed:
            break
        time.sleep(0.05)
    health = client.get("/healthz")
    assert health.status_code == 503 and health.json["ok"] is False


def test_a_server_that_verifies_in_the_background_is_ready_once_every_byte_is_read(index_dir):
    from search_web import create_app

    client = create_app({"TESTING": True, "INDEX_DIR": index_dir, "VERIFY_IN_BACKGROUND": True}).test_client()
    for _ in range(400):
        health = client.get("/healthz")
        if health.status_code == 200:
            break
        time.sleep(0.05)
    assert health.json["ready"] is True and client.get("/search.json?q=执法").status_code == 200


@pytest.fixture()
def small_disk(tmp_path):
    """A 400 kB file system (tmpfs): the samples' index does not fit."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=400k", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {done.stderr.decode(errors='replace').strip()[:80]}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def test_a_full_disk_fails_the_build_with_one_line_and_leaves_nothing_running(small_disk):
    index = small_disk / "index"
    done = subprocess.run([sys.executable, "-m", "indexer", "build", "--index", str(index), "--quiet"],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr[-2000:]
    assert "No space left on device" in done.stderr and "nothing was swapped in" in done.stderr
    assert not (index / "CURRENT").exists()
    left = [p.pid for p in psutil.process_iter(["cmdline"]) if str(index) in " ".join(p.info["cmdline"] or [])]
    assert left == []                                     # no worker left behind, no zombie


def test_a_killed_word_writer_process_is_a_clear_error_not_a_hang(tmp_path):
    from indexer.report.corpus import read_reports
    from indexer.store.writer.documents import DocumentWriter, WordIndexIncomplete

    rows = [(r, p) for r in read_reports([SAMPLES]).reports for p in r.passages] * 10
    writer = DocumentWriter(tmp_path / "whoosh", 2, True)
    writer.add(rows)
    victim = writer._words.writer.tasks[0]
    os.kill(victim.pid, 9)                                   # as the OOM killer would
    started = time.monotonic()
    with pytest.raises(WordIndexIncomplete, match="died"):
        writer.finish()
    assert time.monotonic() - started < 60
    assert all(not task.is_alive() for task in writer._words.writer.tasks)


@pytest.fixture(scope="module")
def clean_index(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("clean") / "index"
    build_index(None, path, words=False)
    return path


def _break_meta(root: Path) -> str:
    (current_generation(root) / "meta.json").unlink()
    return "meta.json"


def _flip_in_segment(name: str, at: int):
    def flip(root: Path) -> str:
        _flip_byte(_segment_file(root, name), at)
        return name
    return flip


# Each of these loaded as a parser's error (a 500 for every request, a traceback
# from the CLI) before the files were looked at against their checksums.
@pytest.mark.parametrize("damage", [_break_meta, _flip_in_segment("postings.codes.npy", 8),
                                    _flip_in_segment("segment.json", 0), _flip_in_segment("columns.npz", -10),
                                    _flip_in_segment("norm.txt.gz", -10)],
                         ids=["meta-missing", "npy-header", "segment-json", "npz-crc", "gzip-crc"])
def test_a_file_that_fails_to_load_is_called_damaged_not_a_crash(clean_index, tmp_path, damage):
    from search_web import create_app

    root = tmp_path / "index"
    shutil.copytree(clean_index, root, symlinks=True)
    name = damage(root)
    with pytest.raises(IndexDamaged, match=name.replace(".", r"\.")):
        Index(root)
    answer = create_app({"TESTING": True, "INDEX_DIR": root}).test_client().get("/search.json?q=执法")
    assert answer.status_code == 503 and "损坏" in answer.json["error"] and "build" in answer.json["hint"]
    done = _cli("search", "执法", "--index", str(root))
    assert "Traceback" not in done.stderr
    if done.returncode:         # the CLI reads only what its answer needs: refused, or the clean answer
        assert done.returncode == 1 and name in done.stderr and "build" in done.stderr
    else:
        clean = _cli("search", "执法", "--index", str(clean_index), "--json").stdout
        assert json.loads(_cli("search", "执法", "--index", str(root), "--json").stdout)["hits"] == \
            json.loads(clean)["hits"]


# A flipped byte inside a compressed block (same size: the CLI's lazy open sees
# nothing) still decompresses, to wrong passage numbers: each block carries a
# CRC-32 checked when it is read.
BLOCK_FILES = ["postings.docs.blosc", "postings.tfs.blosc", "trigrams.docs.blosc", "trigrams.tfs.blosc"]
QUERIES = ["执法", '"依法行政"', "双随机", "监督"]


def _answers(root: Path) -> list:
    from indexer.api import open_index

    index = open_index(root, preload=False)
    try:
        return [(q, r["total"], [h["passage_id"] for h in r["hits"]])
                for q in QUERIES for r in [index.search(q, per_page=20)]]
    finally:
        index.close()


@pytest.mark.parametrize("name", BLOCK_FILES)
def test_a_flipped_byte_inside_a_block_is_refused_not_a_wrong_answer(clean_index, tmp_path, name):
    from indexer.api import open_index

    root = tmp_path / "index"
    shutil.copytree(clean_index, root, symlinks=True)
    block_file = _segment_file(root, name)
    _flip_byte(block_file, block_file.stat().st_size // 2)
    index = open_index(root, preload=False)            # the CLI's way: sizes only at open
    try:
        with pytest.raises(IndexDamaged, match=f"{name}: block \\d+ fails its checksum"):
            index.search('"依法行政"')
    finally:
        index.close()
    if name.endswith("docs.blosc"):
        done = _cli("search", '"依法行政"', "--index", str(root))
        assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 2 and name in lines[0] and "损坏" in lines[1] and "build" in lines[1]


def test_every_block_is_checked_when_read_lazily(clean_index, tmp_path):
    from indexer.store.format.gram_lists import BLOCK, ListReader

    folder = tmp_path / "segment"
    shutil.copytree(_segment_file(clean_index, "postings.docs.blosc").parent, folder)
    bounds = np.load(folder / "postings.docs.blocks.npy")
    _flip_byte(folder / "postings.docs.blosc", int(bounds[1]) + 40)     # inside block 1, not block 0
    reader = ListReader(folder, "postings")                             # lazy: one block per read
    try:
        assert len(reader.docs[0:BLOCK]) == BLOCK                        # block 0 checks
        with pytest.raises(IndexDamaged, match="postings.docs.blosc: block 1 fails"):
            reader.docs[BLOCK - 1:BLOCK + 1]
    finally:
        reader.close()


def _build_without_block_checksums(root: Path, monkeypatch) -> None:
    """An index as the writer made them before blocks and texts had checksums."""
    from indexer.store.format import gram_lists
    from indexer.store.format import segment as segment_format

    save = gram_lists._BlockWriter.__exit__

    def without_checksums(self, *exc):                  # as the writer did before
        save(self, *exc)
        (self.folder / f"{self.name}.crc.npy").unlink()
    write_texts = segment_format._write_texts

    def texts_without_checksums(path, texts):
        offsets = write_texts(path, texts)
        (path.parent / segment_format.TEXT_CRCS).unlink()
        return offsets
    with monkeypatch.context() as patched:
        patched.setattr(gram_lists._BlockWriter, "__exit__", without_checksums)
        patched.setattr(segment_format, "_write_texts", texts_without_checksums)
        build_index(None, root, words=False)


def test_an_index_written_before_block_checksums_opens_and_answers_the_same(clean_index, tmp_path, monkeypatch):
    _build_without_block_checksums(tmp_path / "old", monkeypatch)
    assert not list(segments_folder(tmp_path / "old").rglob("*.crc.npy"))
    assert len(list(segments_folder(clean_index).rglob("*.crc.npy"))) == 5
    assert _answers(tmp_path / "old") == _answers(clean_index)
    assert _cli("check", "--index", str(tmp_path / "old"), "--deep").returncode == 0


@pytest.mark.parametrize("name", ["postings.alphabet.npy", "postings.offsets.npy", "trigrams.codes.npy",
                                  "postings.docs.blocks.npy"])
def test_a_flipped_byte_in_the_postings_small_files_is_refused_when_they_open(clean_index, tmp_path, name):
    from indexer.api import open_index

    root = tmp_path / "index"
    shutil.copytree(clean_index, root, symlinks=True)
    target = _segment_file(root, name)
    _flip_byte(target, target.stat().st_size // 2)     # the alphabet's: a query's character no longer found
    index = open_index(root, preload=False)
    try:
        with pytest.raises(IndexDamaged, match=f"{name.replace('.', '[.]')}: its contents changed"):
            index.search('"依法行政"')
    finally:
        index.close()


def test_a_flipped_digit_in_a_display_text_is_refused_not_shown(clean_index, tmp_path):
    from indexer.api import open_index

    root = tmp_path / "index"
    shutil.copytree(clean_index, root, symlinks=True)
    texts = _segment_file(root, "texts.bin")
    data = texts.read_bytes()
    at = next(n for n in range(len(data) // 2, len(data)) if data[n:n + 1].isdigit())
    _flip_byte(texts, at)                  # '2' ^ 0x55 is 'g': still UTF-8, another text
    index = open_index(root, preload=False)
    try:
        with pytest.raises(IndexDamaged, match="texts.bin: the text of row \\d+ fails its checksum"):
            for number in range(len(index.generation.columns["report"])):
                index.generation.texts[number]
    finally:
        index.close()
    assert "Traceback" not in _cli("search", "执法", "--index", str(root)).stderr


def test_a_damaged_norm_file_read_on_demand_is_refused_not_a_crash(clean_index, tmp_path, monkeypatch):
    """The CLI normalizes the passages it reads until it has read many, then
    inflates ``norm.txt.gz``: a failing gzip CRC there was a traceback."""
    from indexer.api import open_index
    from indexer.store.reader.generation import NormalizedRows

    root = tmp_path / "index"
    shutil.copytree(clean_index, root, symlinks=True)
    norm = _segment_file(root, "norm.txt.gz")
    _flip_byte(norm, norm.stat().st_size // 2)
    monkeypatch.setattr(NormalizedRows, "AT_LEAST", 1)      # the samples are few: inflate early
    index = open_index(root, preload=False)
    try:
        rows = index.generation.normalize_on_demand().norm_array
        with pytest.raises(IndexDamaged, match="norm.txt.gz"):
            for seq in range(len(rows)):
                rows[seq]
    finally:
        index.close()


def test_a_changed_digit_in_a_segment_table_is_refused_not_served(clean_index, tmp_path):
    """A digit changed in ``segment.json`` still parses (a report's year, its
    row): the table is read whole against the segment's checksums at open."""
    from indexer.api import open_index

    root = tmp_path / "index"
    shutil.copytree(clean_index, root, symlinks=True)
    table = _segment_file(root, "segment.json")
    text = table.read_text(encoding="utf-8")
    at = text.index('"year": 20') + len('"year": 20')
    table.write_text(text[:at] + str((int(text[at]) + 1) % 10) + text[at + 1:], encoding="utf-8")
    json.loads(table.read_text(encoding="utf-8"))                  # still a valid table
    with pytest.raises(IndexDamaged, match="segment.json"):
        index = open_index(root, preload=False)                    # the CLI's way
        index.search("执法")


# Issue 27: a server is ready without reading every byte first.  Every read it
# makes is checked as it is made (the display texts and the postings' blocks
# carry a checksum each; the rest is read whole and checked whole), so the
# reading of every byte (2.8 GB at a province's archive) goes on after ready.
def _held_reading(monkeypatch, names=("texts.bin",)):
    """The background reading of every byte held at ``names`` until the event is set."""
    import threading

    reading, crc_of = threading.Event(), checksums.crc_of
    monkeypatch.setattr(checksums, "crc_of", lambda path: (path.name not in names or reading.wait(60)) and crc_of(path))
    return reading


def _ready(client) -> dict:
    for _ in range(600):
        health = client.get("/healthz")
        if health.status_code == 200 or health.json["ok"] is False:
            return health.json
        time.sleep(0.05)
    raise AssertionError("never ready")


def test_a_server_is_ready_before_its_reading_of_every_byte_ends(index_dir, monkeypatch):
    from search_web import create_app
    from search_web.index import EXTENSION

    reading = _held_reading(monkeypatch)
    app = create_app({"TESTING": True, "INDEX_DIR": index_dir, "VERIFY_IN_BACKGROUND": True})
    client = app.test_client()
    assert _ready(client)["ready"] is True                 # while texts.bin has not been read whole
    assert not app.extensions[EXTENSION].verified(timeout=0)
    reading.set()
    assert app.extensions[EXTENSION].verified(timeout=60) is True
    assert client.get("/healthz").status_code == 200


def _damage_every_block(path: Path) -> None:
    """A byte flipped in the middle of every compressed block of ``path``."""
    bounds = np.load(path.with_name(path.name.replace(".blosc", ".blocks.npy")))
    data = bytearray(path.read_bytes())
    for start, end in zip(bounds[:-1].tolist(), bounds[1:].tolist()):
        data[(start + end) // 2] ^= 0x55
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("name", ["texts.bin", "postings.docs.blosc"])
def test_a_changed_byte_read_after_ready_is_refused_never_served(clean_index, tmp_path, monkeypatch, name):
    """A byte changed under a server that is ready and has not read it yet: the
    page that reads it is the damaged-index page, never a wrong answer; once the
    reading of every byte reaches it, every page is, and ``/healthz`` is not ok."""
    from bench.probe_damage import scrub
    from search_web import create_app
    from search_web.index import EXTENSION

    from indexer.store.reader import generation

    root = tmp_path / "index"
    shutil.copytree(clean_index, root, symlinks=True)
    monkeypatch.setattr(generation, "PRELOAD_ROWS", 0)        # blocks read as at a large index, one by one
    reference = create_app({"TESTING": True, "INDEX_DIR": clean_index})
    first = reference.extensions[EXTENSION].get().generation.passage_id(0)
    urls = ["/search.json?q=执法", '/search.json?q="依法行政"', f"/p/{first}.json", f"/r/{first.rsplit('-', 1)[0]}.json"]
    clean = [scrub(reference.test_client().get(url).json) for url in urls]
    reading = _held_reading(monkeypatch, (name,))
    app = create_app({"TESTING": True, "INDEX_DIR": root, "VERIFY_IN_BACKGROUND": True})
    client = app.test_client()
    assert _ready(client)["ready"] is True
    target = _segment_file(root, name)
    if name == "texts.bin":
        _flip_byte(target, 0)                               # the first passage's text
    else:
        _damage_every_block(target)
    answers = [client.get(url) for url in urls]
    for url, answer, expected in zip(urls, answers, clean):
        assert answer.status_code == 503 or scrub(answer.json) == expected, url     # refused, or as before
    assert sum(a.status_code == 503 and name in a.json["error"] for a in answers) >= 1
    reading.set()
    assert app.extensions[EXTENSION].verified(timeout=60) is False
    assert client.get("/search.json?q=监督").status_code == 503
    health = client.get("/healthz")
    assert health.status_code == 503 and health.json["ok"] is False


def test_an_index_without_block_checksums_is_read_whole_before_a_server_serves_it(tmp_path, monkeypatch):
    """Its texts and blocks are read unchecked: a server serves it only once
    every byte is read, as before, so a changed byte is refused, never shown."""
    from search_web import create_app

    _build_without_block_checksums(tmp_path / "old", monkeypatch)
    _flip_byte(_segment_file(tmp_path / "old", "texts.bin"), 0)
    client = create_app({"TESTING": True, "INDEX_DIR": tmp_path / "old", "VERIFY_IN_BACKGROUND": True}).test_client()
    answer = client.get("/search.json?q=执法")
    assert answer.status_code == 503 and "texts.bin" in answer.json["error"]


@pytest.mark.parametrize("damage", ["report", "whoosh", "columns"])
def test_what_is_read_whole_is_checked_as_it_is_read(clean_index, tmp_path, damage):
    """The files a lazily opened index reads whole, checked whole when read: a
    report's structure (its figures: a flipped digit still parses), Whoosh's
    files (before Whoosh opens them), the columns (a year)."""
    from indexer.api import open_index

    root = tmp_path / "index"
    shutil.copytree(clean_index, root, symlinks=True)
    if damage == "columns":
        _flip_byte(_segment_file(root, "columns.npz"), 200)
        with pytest.raises(IndexDamaged, match="columns.npz: its contents changed"):
            open_index(root, preload=False)
        return
    index = open_index(root, preload=False)
    try:
        gen = index.generation
        if damage == "report":
            report = next(r for r in segments_folder(root).rglob("reports/*.json") if b'"year": 2' in r.read_bytes())
            data = report.read_bytes()
            at = data.index(b'"year": 2') + len(b'"year": 2') + 2        # the year's last digit
            changed = bytearray(data)
            changed[at] = ord("0") if data[at] != ord("0") else ord("1")
            report.write_bytes(bytes(changed))
            assert json.loads(changed)["year"] != json.loads(data)["year"]     # still a report, another year
            with pytest.raises(IndexDamaged, match=f"{report.name}: its contents changed"):
                gen.read_report(report.stem)
        else:
            column = next((current_generation(root) / "whoosh").glob("*.col"))
            _flip_byte(column, column.stat().st_size // 2)
            with pytest.raises(IndexDamaged, match=f"{column.name}: its contents changed"):
                gen.whoosh()
    finally:
        index.close()


def test_a_swaps_check_reads_again_only_what_changed_since_the_last(index_dir, monkeypatch):
    """Segments are written once and a new generation lists the old one's: a
    swap's deep check reads none of the bytes the last one read, unless the
    file was written since (then it is read, and a changed byte refused)."""
    gen_path = current_generation(index_dir)
    meta = json.loads((gen_path / "meta.json").read_text(encoding="utf-8"))
    read = []
    real_crc_of = checksums.crc_of
    # A segment's own table (small; it vouches for the rest) is read every time.
    monkeypatch.setattr(checksums, "crc_of", lambda path: (path.name != checksums.SEGMENT_TABLE and read.append(path.name))
                        or real_crc_of(path))
    checksums.verify(gen_path, meta, segments_folder(index_dir), deep=True)
    assert "texts.bin" in read
    read.clear()
    checksums.verify(gen_path, meta, segments_folder(index_dir), deep=True)
    assert read == []
    texts = next(segments_folder(index_dir).glob("*/texts.bin"))
    stat = texts.stat()
    with open(texts, "r+b") as handle:          # one byte changed in place, same size
        first = handle.read(1)
        handle.seek(0)
        handle.write(bytes([first[0] ^ 1]))
    os.utime(texts, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))   # a write's new time, past the clock's tick
    with pytest.raises(IndexDamaged, match="texts.bin"):
        checksums.verify(gen_path, meta, segments_folder(index_dir), deep=True)
    assert read == ["texts.bin"]
