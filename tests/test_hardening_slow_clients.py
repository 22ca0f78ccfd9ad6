"""Slow and idle clients cannot starve the others (issue 24).

An export is produced whole into a temporary file by a bounded producer (a
clear 503 with Retry-After past the bound) and handed to the server as a file
wrapper, so a client that stops reading holds no thread, only a file whose
bytes are bounded too.  HEAD on an export answers the GET's headers and no
body.  A real waitress server configured as ``python -m search_web``
configures it keeps answering searches while more clients than it has threads
hold exports unread and 150 idle connections are open.
"""
from __future__ import annotations

import contextlib
import io
import itertools
import socket
import threading
import time
import urllib.request
from pathlib import Path

import openpyxl
import pytest
import waitress

from indexer.api import build_index
from indexer.research import export
from search_web import create_app, exports
from search_web.__main__ import connection_socket_options, server_options

EXPORT_OF_EVERYTHING = "/search.csv?q=%E7%9A%84"        # 的: every passage of the samples
BASE_URL = "https://fazhi.example"      # the exports' links, the same whichever server answers


@pytest.fixture(scope="module")
def sample_index(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("slow-clients")
    build_index(None, path, words=False)
    return path


def _app(index: Path, **config):
    return create_app({"INDEX_DIR": index, "FREEZE_GC": False, "WARM_WORDS": False, "BASE_URL": BASE_URL, **config})


def test_exports_produced_at_once_are_bounded_with_503_and_retry_after(sample_index, monkeypatch):
    app = _app(sample_index, TESTING=True, MAX_EXPORTS=1)
    client = app.test_client()
    producing, release = threading.Event(), threading.Event()
    export_rows = exports.api.export_rows

    def slow_rows(*args):
        producing.set()
        release.wait(10)
        yield from export_rows(*args)

    monkeypatch.setattr(exports.api, "export_rows", slow_rows)
    first = {}
    producer = threading.Thread(target=lambda: first.setdefault("answer", client.get("/search.csv?q=执法")))
    producer.start()
    try:
        assert producing.wait(10)
        busy = client.get("/reports.jsonl")                 # the one producer slot is taken
        assert busy.status_code == 503 and int(busy.headers["Retry-After"]) > 0
        assert "导出" in busy.get_data(as_text=True)
        assert client.get("/search.json?q=执法").status_code == 200     # searches are not bounded
    finally:
        release.set()
        producer.join(10)
    assert first["answer"].status_code == 200 and first["answer"].data.count(b"\n") > 1
    with client.get("/reports.csv") as again:              # produced: the slot is free again
        assert again.status_code == 200
    assert client.get("/search.csv?q=((((").status_code == 400     # a bad query gives its slot back
    assert client.get("/search.csv?q=执法").status_code == 200


def test_files_waiting_for_their_readers_are_bounded_by_bytes(sample_index):
    client = _app(sample_index, TESTING=True, MAX_EXPORTS=2, MAX_EXPORT_SPOOL_BYTES=1).test_client()
    unread = client.get("/search.csv?q=执法", buffered=False)    # produced; its file waits for the reader
    assert unread.status_code == 200
    assert int(unread.headers["Content-Length"]) > 1
    busy = client.get("/search.jsonl?q=执法")
    assert busy.status_code == 503 and int(busy.headers["Retry-After"]) > 0
    assert "下载" in busy.get_data(as_text=True)
    unread.close()                                         # its client went: the file is let go
    with client.get("/search.jsonl?q=执法") as again:
        assert again.status_code == 200


def test_an_export_is_whole_or_an_error_page_never_cut_short(sample_index, monkeypatch):
    client = _app(sample_index, TESTING=True).test_client()
    export_rows = exports.api.export_rows

    def failing_rows(*args):
        yield from itertools.islice(export_rows(*args), 25)     # five pieces of five rows are written
        raise OSError("disk went away")

    monkeypatch.setattr(export, "CHUNK", 5)
    monkeypatch.setattr(exports.api, "export_rows", failing_rows)
    answer = client.get("/search.csv?q=的")
    assert answer.status_code == 500 and "text/html" in answer.content_type    # not a 200 cut short
    monkeypatch.setattr(exports.api, "export_rows", export_rows)
    assert client.get("/search.csv?q=执法").status_code == 200       # and its slot came back


def test_an_xlsx_export_is_a_whole_workbook(sample_index):
    client = _app(sample_index, TESTING=True).test_client()
    answer = client.get("/search.xlsx?q=执法")
    assert answer.status_code == 200 and int(answer.headers["Content-Length"]) == len(answer.data)
    book = openpyxl.load_workbook(io.BytesIO(answer.data))
    assert book.sheetnames[-1] == "查询" and book.worksheets[0].max_row > 2


@contextlib.contextmanager
def _served(app, channel_timeout: int = 5):
    """A real waitress server as ``python -m search_web`` sets it up (4 threads),
    its outgoing buffers made small so that an unread export of the samples
    fills them, as a 100 MB one fills waitress's 16 MB."""
    server = waitress.create_server(app, host="127.0.0.1", port=0, outbuf_high_watermark=1 << 14,
                                    **server_options(threads=4, channel_timeout=channel_timeout))
    server.adj.socket_options = [*connection_socket_options(channel_timeout),     # on every connection
                                 (socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)]
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield int(server.effective_port)
    finally:
        server.close()
        thread.join(10)


@pytest.fixture()
def served(sample_index):
    # as many producers as threads: only the file wrapper keeps unread exports off the threads
    with _served(_app(sample_index, MAX_EXPORTS=4)) as port:
        yield port


def _read_all(sock: socket.socket, wait: float) -> bytes:
    sock.settimeout(wait)
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except socket.timeout:
        pass
    return data


def _request(path: str, method: str = "GET") -> bytes:
    return f"{method} {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode()


# (not XLSX here: two GETs of one are not byte-identical, the workbook carries its time)
@pytest.mark.parametrize(("path", "media_type"), [("/search.csv?q=%E6%89%A7%E6%B3%95", b"text/csv"),
                                                  ("/search.ris?q=%E6%89%A7%E6%B3%95", b"research-info"),
                                                  ("/kwic.jsonl?q=%E6%89%A7%E6%B3%95", b"json")])
def test_head_on_an_export_sends_the_gets_headers_and_nothing_else(served, path, media_type):
    with socket.create_connection(("127.0.0.1", served), timeout=10) as sock:   # one kept-alive connection
        sock.sendall(_request(path))
        get_head, get_body = _headers(sock)
        while len(get_body) < _content_length(get_head):
            get_body += sock.recv(65536)
        sock.sendall(_request(path, "HEAD"))
        head, stray = _headers(sock)
        stray += _read_all(sock, 0.3)
        sock.sendall(_request("/healthz"))
        after = stray + _read_all(sock, 0.5)
    assert head.startswith(b"HTTP/1.1 200") and media_type in head
    assert b"Transfer-Encoding" not in head
    assert _content_length(head) == _content_length(get_head) == len(get_body) > 0     # the GET's, not 0
    assert after.startswith(b"HTTP/1.1 ")      # no stray chunk: the next answer starts right after the headers


def _headers(sock: socket.socket) -> tuple[bytes, bytes]:
    """An answer's head, and what came after it so far."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, data
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    return head, rest


def _status(port: int, path: str) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(_request(path))
        return _headers(sock)[0].split(b" ")[1]


def _content_length(head: bytes) -> int:
    found = [line for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")]
    assert len(found) == 1, head
    return int(found[0].split(b":")[1])


def _search_took(port: int) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/search.json?q=%E6%89%A7%E6%B3%95", timeout=10) as r:
        assert r.status == 200
        r.read()
    return time.perf_counter() - started


def _start_unread_export(port: int) -> socket.socket:
    """An export of everything whose client reads the status line, then stops."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)    # before connecting: a small window
    sock.settimeout(5)
    sock.connect(("127.0.0.1", port))
    sock.sendall(_request(EXPORT_OF_EVERYTHING))
    return sock


def test_more_unread_exports_than_threads_and_idle_connections_do_not_stop_searches(served, sample_index):
    whole = _app(sample_index, TESTING=True).test_client().get(EXPORT_OF_EVERYTHING).data
    assert len(whole) > 100_000          # far past every buffer between the server and a reader (~30 KB)
    hogs, idle = [], []
    try:
        for _ in range(6):       # more than the 4 threads, each answered, then never read
            hogs.append(_start_unread_export(served))
            assert hogs[-1].recv(12) == b"HTTP/1.1 200"
        for _ in range(150):     # connections that send nothing (or half a request)
            sock = socket.create_connection(("127.0.0.1", served), timeout=5)
            sock.sendall(b"GET /search.json?q=" if len(idle) % 2 else b"")
            idle.append(sock)
        time.sleep(0.5)
        took = [_search_took(served) for _ in range(5)]
        assert max(took) < 3, took
        hogs[0].settimeout(10)
        _, body = _headers(hogs[0])                          # a slow reader gets every byte at last
        while len(body) < len(whole) and (chunk := hogs[0].recv(65536)):
            body += chunk
        assert body == whole
        assert whole.startswith(b"\xef\xbb\xbf")          # the CSV's BOM, as before
    finally:
        for sock in hogs + idle:
            sock.close()


def test_a_reader_that_stops_lets_its_file_go_at_the_channel_timeout(sample_index):
    app = _app(sample_index, MAX_EXPORT_SPOOL_BYTES=1)
    with _served(app, channel_timeout=1) as port:
        hog = _start_unread_export(port)
        try:
            assert hog.recv(12) == b"HTTP/1.1 200"
            assert _status(port, "/search.jsonl?q=%E6%89%A7%E6%B3%95") == b"503"
            deadline = time.monotonic() + 10
            while _status(port, "/reports.jsonl") != b"200":
                assert time.monotonic() < deadline, "the unread export's file was never let go"
                time.sleep(0.3)
        finally:
            hog.close()


@pytest.mark.parametrize("year", ["NaN", "2018--2022", "２０２０", "9" * 30])
def test_a_bad_year_in_an_export_is_a_400_before_anything_streams(sample_index, year):
    app = _app(sample_index, TESTING=True, MAX_EXPORTS=1)
    client = app.test_client()
    for url in (f"/reports.csv?year={year}", f"/search.csv?q=执法&year={year}"):
        with client.get(url) as answer:
            assert answer.status_code == 400, (url, answer.status_code)
            assert "年份" in answer.get_data(as_text=True)
    with client.get("/reports.csv?year=2020-") as answer:          # and the one slot is free again
        assert answer.status_code == 200
