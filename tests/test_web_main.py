"""``python -m search_web``: builds the index when missing, then serves it."""
from __future__ import annotations

import queue
import subprocess
import sys
import threading
import time
import urllib.request

import pytest
from click.testing import CliRunner

from conftest import ROOT

pytest_plugins = ["web_fixtures"]


def test_help_names_the_options():
    from search_web.__main__ import main

    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for option in ("--index", "--host", "--port"):
        assert option in result.output


def test_ensure_index_builds_only_when_missing(tmp_path, web_index, monkeypatch):
    import indexer.build
    from indexer.search import open_index

    from search_web.__main__ import ensure_index

    target = tmp_path / "index"
    ensure_index(target)
    open_index(target).close()  # built from the samples

    def no_rebuild(*args, **kwargs):
        raise AssertionError("an existing index must not be rebuilt")

    monkeypatch.setattr(indexer.build, "build_index", no_rebuild)
    ensure_index(web_index)


def test_ensure_index_leaves_an_index_of_another_version_alone(tmp_path, monkeypatch, capsys):
    import json

    import indexer.build
    from indexer.build import build_index
    from indexer.store.directory.layout import CURRENT, META

    target = tmp_path / "index"
    build_index(None, target, procs=1, words=False)
    meta_path = (target / CURRENT).resolve() / META
    meta_path.write_text(json.dumps({**json.loads(meta_path.read_text(encoding="utf-8")), "schema_version": 0}),
                         encoding="utf-8")

    def no_rebuild(*args, **kwargs):
        raise AssertionError("the user's index must not be replaced by the samples")

    monkeypatch.setattr(indexer.build, "build_index", no_rebuild)
    from search_web.__main__ import ensure_index

    ensure_index(target)
    assert "python -m indexer build" in capsys.readouterr().err


def _wait_for_listen(process) -> str:
    """The URL the server prints once it listens (``--port 0``: any free port)."""
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            line = lines.get(timeout=0.5)
        except queue.Empty:
            continue
        if line.startswith("Serving on "):
            return line.split("Serving on ", 1)[1].strip()
    process.kill()
    pytest.fail("python -m search_web did not start: " + process.stderr.read())


def test_python_m_search_web_serves_the_site(web_index):
    command = [sys.executable, "-m", "search_web", "--index", str(web_index), "--port", "0"]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        base = _wait_for_listen(process)
        with urllib.request.urlopen(base + "search.json?q=%E5%8F%8C%E9%9A%8F%E6%9C%BA", timeout=10) as response:
            assert response.status == 200
            assert b'"total"' in response.read()
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_busy_port_is_a_one_line_error(web_index, monkeypatch):
    import socket

    from search_web.__main__ import main

    monkeypatch.setattr(sys, "setswitchinterval", lambda _seconds: None)     # the server's, not the tests'
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        result = CliRunner().invoke(main, ["--index", str(web_index), "--port", str(port)])
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: 127.0.0.1:{port} is already in use; choose another with --port N " \
                                    "(or stop what holds it)"


def test_the_server_lets_waiting_threads_have_the_gil_sooner(web_index, monkeypatch):
    # Waitress's event loop gives the GIL up at every accept, read, send and close;
    # behind a busy thread (an export being written) it waited up to 5 ms each time.
    import socket

    from search_web.__main__ import SWITCH_INTERVAL, main

    chosen = []
    monkeypatch.setattr(sys, "setswitchinterval", chosen.append)
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        CliRunner().invoke(main, ["--index", str(web_index), "--port", str(holder.getsockname()[1])])
    assert chosen == [SWITCH_INTERVAL] and SWITCH_INTERVAL < 0.005      # Python's default


def test_ensure_index_does_not_parse_the_metadata_the_open_parses_again(web_index, monkeypatch):
    """At a province's archive ``meta.json`` is 19 MB: a server's start parses it once, when the index opens."""
    from indexer.store.directory import layout
    from search_web.__main__ import ensure_index

    def parsed(*args, **kwargs):
        raise AssertionError("meta.json parsed before the index opens")

    monkeypatch.setattr(layout, "parse_json", parsed)
    ensure_index(web_index)
