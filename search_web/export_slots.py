"""Exports are produced apart from the clients that read them, so a slow
client holds no thread (issue 24).

An export is the whole result set (115 MB of CSV for ``的`` at 100k passages).
Streamed from the request's thread, it held that thread for as long as its
client took to read it: a few clients that started exports and stopped
reading held every thread, and nobody else was answered.  So an export is
written whole into a temporary file (in memory up to ``SPOOL_IN_MEMORY``, then
on disk, unlinked) by the request's thread, and the file is handed to the
server as ``wsgi.file_wrapper``: waitress sends a file wrapper from its event
loop, as the client reads, and the thread is free as soon as the file is
written.  A client that stops reading then costs a connection and a file,
until ``channel_timeout`` closes it.

Two bounds keep that cheap for the others:

- at most ``MAX_EXPORTS`` exports are *produced* at once (``create_app``:
  ``app.config["MAX_EXPORTS"]``, ``python -m search_web --max-exports``, always
  two threads fewer than the server has), each slot given back when its file
  is written;
- the files waiting for their clients hold at most ``MAX_EXPORT_SPOOL_BYTES``
  (a slow reader per connection must not fill the disk, or a ``/tmp`` in RAM).

Past either an export is answered at once with 503 and ``Retry-After``.
Because the body is made before the answer starts, an error the writer meets
(``/reports.csv?year=NaN``, a deadline) is a clear 4xx page, never a 200 cut
short.  A HEAD request is answered as the GET (the file is made, so its
``Content-Length`` is the GET's) without the body.
"""
from __future__ import annotations

import functools
import tempfile
import threading

from flask import Response, current_app, request
from werkzeug.wsgi import wrap_file

from .errors import WebError, render_error

EXTENSION = "fazhi_export_slots"
MAX_EXPORTS = 2
MAX_EXPORT_SPOOL_BYTES = 1 << 30     # files waiting for their clients, all together
SPOOL_IN_MEMORY = 1 << 20            # an export this small never touches the disk
RETRY_AFTER = 30      # seconds: about what a large export takes to be produced


class ExportSlots:
    """Slots for producing exports, and the bytes of exports still being read;
    neither ever waits: an export gets a slot now or a 503."""

    def __init__(self, limit: int = MAX_EXPORTS, spool_limit: int = MAX_EXPORT_SPOOL_BYTES):
        self.limit, self.spool_limit = limit, spool_limit
        self._free = threading.BoundedSemaphore(limit)
        self._lock = threading.Lock()
        self.spooled = 0        # bytes of files handed to the server and not yet closed

    def take(self) -> bool:
        """A slot now (True), or none free or the spool full (False); never waits."""
        with self._lock:
            if self.spooled >= self.spool_limit:
                return False
        return self._free.acquire(blocking=False)

    def give_back(self) -> None:
        """Free the slot an export held while it was produced."""
        self._free.release()

    def spool(self) -> "_Spool":
        """A temporary file for one export; its bytes count until it is closed."""
        return _Spool(self)

    def _count(self, size: int) -> None:
        with self._lock:
            self.spooled += size


def slots() -> ExportSlots:
    """The app's export slots (``MAX_EXPORTS`` of them, ``MAX_EXPORT_SPOOL_BYTES`` of files)."""
    app = current_app._get_current_object()
    found = app.extensions.get(EXTENSION)
    if found is None:
        config = app.config
        found = app.extensions.setdefault(EXTENSION, ExportSlots(
            int(config.get("MAX_EXPORTS", MAX_EXPORTS)),
            int(config.get("MAX_EXPORT_SPOOL_BYTES", MAX_EXPORT_SPOOL_BYTES))))
    return found


def bounded_export(view):
    """Run ``view`` (an export route) only when a slot is free, write its body
    into a temporary file while holding the slot, and answer with the file."""
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        bound = slots()
        if not bound.take():
            return _busy(bound)
        try:
            response = view(*args, **kwargs)    # a bad parameter raises here: a 400
            if response.is_streamed:
                response = _spooled(response, bound)    # so does anything the writer meets
        finally:
            bound.give_back()
        return response
    return wrapper


class _Spool(tempfile.SpooledTemporaryFile):
    """An export's temporary file; closing it (the server has sent it, or its
    client is gone) takes its bytes off the spool's count, once."""

    def __init__(self, bound: ExportSlots):
        super().__init__(max_size=SPOOL_IN_MEMORY, prefix="fazhi-export-")
        self._bound, self._counted = bound, 0

    def count(self) -> int:
        """Count what was written against the spool's bound; its size."""
        self._counted = self.tell()
        self._bound._count(self._counted)
        return self._counted

    def close(self) -> None:
        try:
            super().close()
        finally:
            counted, self._counted = self._counted, 0
            if counted:
                self._bound._count(-counted)


def _spooled(response: Response, bound: ExportSlots) -> Response:
    """``response``'s streamed body written into a spool, answered as a file the
    server sends by itself (``wsgi.file_wrapper``), with the same status and headers."""
    spool = bound.spool()
    try:
        try:
            for chunk in response.iter_encoded():
                spool.write(chunk)
        finally:
            response.close()
        size = spool.count()
        spool.seek(0)
        answer = current_app.response_class(wrap_file(request.environ, spool), status=response.status,
                                            headers=response.headers, direct_passthrough=True)
    except BaseException:
        spool.close()
        raise
    answer.content_length = size
    return answer


def _busy(bound: ExportSlots):
    if bound.spooled >= bound.spool_limit:
        message = "正在下载中的导出文件已达上限，请稍后再试。"
    else:
        message = f"同时生成的导出已达上限（{bound.limit} 个），请稍后再试。"
    error = WebError(message, 503, f"约 {RETRY_AFTER} 秒后重试；也可以缩小检索范围后再导出。")
    body, status = render_error(error)
    response = current_app.make_response((body, status))
    response.headers["Retry-After"] = str(RETRY_AFTER)
    return response
