"""The one error type of the library: a message for the user, a hint on what
to do next, and the HTTP status a web front end answers with.

Every layer raises a subclass of :class:`FazhiError` for what a user can fix;
the CLI prints ``Error: message`` and ``Hint: hint``, the web app renders the same
as an HTML page or ``{"ok": false, "error": …}``.
"""
from __future__ import annotations


class FazhiError(Exception):
    """What the user asked cannot be done; ``status`` is the HTTP status."""
    status = 400

    def __init__(self, message: str, status: int | None = None, hint: str = ""):
        super().__init__(message)
        self.message = message
        self.hint = hint
        if status is not None:
            self.status = status


class SearchError(FazhiError):
    """A query, filter, page or id the index cannot answer."""


class NotFound(SearchError):
    """No report or passage with that id."""
    status = 404


class IndexMissing(SearchError):
    """No index can be served from the folder: none built yet, or one built by
    another schema version (:class:`IndexVersionError`)."""
    status = 503


class IndexVersionError(IndexMissing):
    """The index was built by another version of the schema."""


class IndexDamaged(IndexMissing, ValueError):
    """A file of the index is missing, truncated or changed since its build
    (``indexer.store.format.checksums``): refused, never served.  A ValueError too, so
    a build treats a damaged index as none and builds from scratch."""
