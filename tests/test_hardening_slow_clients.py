"""Slow and idle clients cannot starve the others (issue 24).

Exports are bounded (a clear 503 with Retry-After past the bound, the slot
given back when the export ends or its client goes), HEAD on an export sends
no body, and a real waitress server configured as ``python -m search_web``
configures it keeps answering searches while clients hold exports unread and
150 idle connections are open.
"""
from __future__ import annotations

import socket
import threading
import time
import urllib.request
from pathlib import Path

import pytest
import waitress

from indexer.build import build_index
from search_web import create_app
from search_web.__main__ import server_options


@pytest.fixture(scope="module")
def sample_index(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("slow-clients")
    build_index(None, path, words=False)
    return path


def test_exports_past_the_bound_get_503_with_retry_after_and_slots_come_back(sample_index):
    app = create_app({"TESTING": True, "INDEX_DIR": sample_index, "MAX_EXPORTS": 1})
    client = app.test_client()
    first = client.get("/search.csv?q=的", buffered=False)
    assert first.status_code == 200
    next(first.response)                                   # streaming, unread
    busy = client.get("/search.jsonl?q=执法")
    assert busy.status_code == 503 and int(busy.headers["Retry-After"]) > 0
    assert "导出" in busy.get_data(as_text=True)
    assert client.get("/search.json?q=执法").status_code == 200     # searches are not bounded
    first.close()                                          # the client went: the slot is free again
    with client.get("/search.csv?q=执法") as again:        # a server closes every answer it sent
        assert again.status_code == 200 and again.data.count(b"\n") > 1
    with client.get("/reports.csv") as again:
        assert again.status_code == 200
    assert client.get("/search.csv?q=((((").status_code == 400     # a bad query gives its slot back
    assert client.get("/search.csv?q=执法", buffered=True).status_code == 200


@pytest.fixture()
def served(sample_index):
    """A real waitress server as ``python -m search_web`` sets it up (4 threads,
    2 exports), its outgoing buffers made small so that an unread export of the
    samples blocks its thread, as a 100 MB one does at waitress's 16 MB."""
    app = create_app({"INDEX_DIR": sample_index, "MAX_EXPORTS": 2, "FREEZE_GC": False, "WARM_WORDS": False})
    small_buffers = [(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096), (socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]
    server = waitress.create_server(app, host="127.0.0.1", port=0, outbuf_high_watermark=1 << 14,
                                    **server_options(threads=4, channel_timeout=5))
    server.adj.socket_options = small_buffers      # set on every connection it accepts
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield int(server.effective_port)
    finally:
        server.close()
        thread.join(10)


def _raw(port: int, request: bytes, wait: float = 1.0) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(request)
        sock.settimeout(wait)
        data = b""
        try:
            while chunk := sock.recv(65536):
                data += chunk
        except socket.timeout:
            pass
    return data


def test_head_on_an_export_sends_headers_and_nothing_else(served):
    answer = _raw(served, "HEAD /search.csv?q=%E6%89%A7%E6%B3%95 HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200") and b"text/csv" in head
    assert body == b""                                     # no stray chunk after the headers


def _search_took(port: int) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/search.json?q=%E6%89%A7%E6%B3%95", timeout=10) as r:
        assert r.status == 200
        r.read()
    return time.perf_counter() - started


def test_unread_exports_and_idle_connections_do_not_stop_searches(served):
    hogs, idle = [], []
    try:
        for _ in range(4):       # start an export of everything, then never read it
            sock = socket.socket()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)    # before connecting: a small window
            sock.settimeout(5)
            sock.connect(("127.0.0.1", served))
            sock.sendall(b"GET /search.csv?q=%E7%9A%84 HTTP/1.1\r\nHost: x\r\n\r\n")
            hogs.append(sock)
        for _ in range(150):     # connections that send nothing (or half a request)
            sock = socket.create_connection(("127.0.0.1", served), timeout=5)
            sock.sendall(b"GET /search.json?q=" if len(idle) % 2 else b"")
            idle.append(sock)
        time.sleep(0.5)
        took = [_search_took(served) for _ in range(5)]
        assert max(took) < 3, took
        statuses = []
        for sock in hogs:       # two exports run; the other two were told to come back later
            sock.settimeout(2)
            statuses.append(sock.recv(64).split(b" ")[1])
        assert sorted(statuses) == [b"200", b"200", b"503", b"503"]
    finally:
        for sock in hogs + idle:
            sock.close()


@pytest.mark.parametrize("year", ["NaN", "2018--2022", "２０２０", "9" * 30])
def test_a_bad_year_in_an_export_is_a_400_before_anything_streams(sample_index, year):
    app = create_app({"TESTING": True, "INDEX_DIR": sample_index, "MAX_EXPORTS": 1})
    client = app.test_client()
    for url in (f"/reports.csv?year={year}", f"/search.csv?q=执法&year={year}"):
        with client.get(url) as answer:
            assert answer.status_code == 400, (url, answer.status_code)
            assert "年份" in answer.get_data(as_text=True)
    with client.get("/reports.csv?year=2020-") as answer:          # and the one slot is free again
        assert answer.status_code == 200
