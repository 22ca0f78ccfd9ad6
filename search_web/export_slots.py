"""A bound on exports running at once, so exports cannot starve searches.

An export streams the whole result set (115 MB of CSV for ``的`` at 100k
passages) and holds one of the server's threads for as long as its client
takes to read it; a few clients that start exports and stop reading held every
thread, and nobody else was answered.  So at most ``MAX_EXPORTS`` exports run at
once (``create_app``: ``app.config["MAX_EXPORTS"]``, ``python -m search_web
--max-exports``); past that an export is answered at once with 503 and
``Retry-After``, and the other threads keep serving searches.  A slot is given
back when the export's response is closed: finished, or its client gone (a
client that stops reading is dropped by waitress's ``channel_timeout``).

``@bounded_export`` wraps an export route; the route's own body (parsing,
validation, the writer) is untouched.  The first piece of the body is made
before the answer starts, so an error the writer meets first is a clear 4xx.
A HEAD request gets the export's headers and no body, without producing it.
"""
from __future__ import annotations

import functools
import threading

from flask import Response, current_app, request

from .errors import WebError, render_error

EXTENSION = "fazhi_export_slots"
MAX_EXPORTS = 2
RETRY_AFTER = 30      # seconds: about what a large export takes to stream


class ExportSlots:
    """A counting semaphore that never waits: an export gets a slot now or a 503."""

    def __init__(self, limit: int = MAX_EXPORTS):
        self.limit = limit
        self._free = threading.BoundedSemaphore(limit)

    def take(self) -> bool:
        """A slot now (True), or none free (False); never waits."""
        return self._free.acquire(blocking=False)

    def give_back(self) -> None:
        """Free the slot an export held."""
        self._free.release()


def slots() -> ExportSlots:
    """The app's export slots (``MAX_EXPORTS`` of them)."""
    app = current_app._get_current_object()
    found = app.extensions.get(EXTENSION)
    if found is None:
        found = app.extensions.setdefault(EXTENSION, ExportSlots(int(app.config.get("MAX_EXPORTS", MAX_EXPORTS))))
    return found


def bounded_export(view):
    """Run ``view`` (an export route) only when a slot is free; hold the slot
    until its body has been sent (or its response is closed: a client gone)."""
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        bound = slots()
        if not bound.take():
            return _busy(bound.limit)
        once = _Once(bound.give_back)
        try:
            response = view(*args, **kwargs)    # a bad parameter raises here: a 400, slot given back
        except BaseException:
            once()
            raise
        if request.method == "HEAD":
            response.close()                    # the body is never produced
            once()
            return Response(status=response.status, headers=_head_headers(response))
        response.call_on_close(once)
        if not response.is_streamed:
            once()                              # made whole already: nothing left to hold a thread
        else:
            try:
                response.response = _Primed(response.response, once)
            except BaseException:
                response.close()
                raise
        return response
    return wrapper


class _Primed:
    """A streamed body whose first piece is made now, inside the view: a bad
    parameter that only the writer meets (``/reports.csv?year=NaN``) is then a
    400 page, not a 500 in the middle of a stream.  Closing closes the body;
    ``at_end`` runs once the last piece has been taken."""

    def __init__(self, body, at_end=lambda: None):
        self._body, self._at_end = body, at_end
        self._chunks = iter(body)
        self._first = [next(self._chunks, None)]

    def __iter__(self):
        return self

    def __next__(self):
        if self._first:
            first = self._first.pop()
            if first is not None:
                return first
            self._at_end()
            raise StopIteration
        try:
            return next(self._chunks)
        except StopIteration:
            self._at_end()
            raise

    def close(self) -> None:
        close = getattr(self._body, "close", None)
        if close is not None:
            close()


class _Once:
    """An action run at most once, whoever asks first (the end of the body, or its close)."""

    def __init__(self, action):
        self._action, self._lock = action, threading.Lock()

    def __call__(self) -> None:
        with self._lock:
            action, self._action = self._action, None
        if action is not None:
            action()


def _head_headers(response: Response) -> dict:
    """The export's headers for a HEAD answer; Content-Length 0 so the server
    adds no chunked framing (a HEAD answer carries no body at all)."""
    headers = {k: v for k, v in response.headers.items() if k.lower() not in ("content-length", "transfer-encoding")}
    headers["Content-Length"] = "0"
    return headers


def _busy(limit: int):
    error = WebError(f"同时进行的导出已达上限（{limit} 个），请稍后再试。", 503,
                     f"约 {RETRY_AFTER} 秒后重试；也可以缩小检索范围后再导出。")
    body, status = render_error(error)
    response = current_app.make_response((body, status))
    response.headers["Retry-After"] = str(RETRY_AFTER)
    return response
