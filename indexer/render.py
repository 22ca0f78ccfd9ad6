"""Render: the library's search data as the edges show it, in one place.

The search side returns data (a snippet's text and match spans, ids); the CLI
and the web app call these functions to turn it into what they print or send:
HTML with ``<mark>`` (everything else escaped), text with ``[brackets]``, and
the addresses of passages and reports.  ``result`` gives the dict of ``indexer
search --json`` and ``/search.json``.  May import: nothing of ``indexer`` (it
works on plain dicts and lists).

This is the one place that knows how a passage's and a report's address is
spelled (``tests/test_urls_home.py`` fails when another module writes it): the
library hands out ids, the CLI and the web app turn them into URLs here, the
web app's routes are declared from :data:`PASSAGE_ROUTE` and
:data:`REPORT_ROUTE`.  A base URL (``--base-url``, ``FAZHI_BASE_URL``) makes
them absolute.
"""
from __future__ import annotations

from html import escape
from urllib.parse import urlsplit

ELLIPSIS = "…"

PASSAGE_ROUTE = "/p/<id:passage_id>"     # the web app's routes (``search_web.views``)
REPORT_ROUTE = "/r/<id:report_id>"
# Where ``python -m search_web`` serves by default: the CLI's links point there
# unless ``--base-url`` / ``FAZHI_BASE_URL`` says where the site really is.
DEFAULT_BASE_URL = "http://127.0.0.1:8000"


def passage_url(passage_id: str, base_url: str = "") -> str:
    """The passage's page in the web app (its path, or absolute under ``base_url``)."""
    return base_url.rstrip("/") + f"/p/{passage_id}"


def report_url(report_id: str, base_url: str = "") -> str:
    """The report's page in the web app (its path, or absolute under ``base_url``)."""
    return base_url.rstrip("/") + f"/r/{report_id}"


def check_base_url(url: str) -> str:
    """``url`` as a base URL (``https://host[:port][/prefix]``, no trailing
    slash); raises ``ValueError`` with a one-line reason when it is not one."""
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not a base URL: {url!r} (give http(s)://host[:port][/prefix])")
    if parts.query or parts.fragment or any(c.isspace() for c in url):
        raise ValueError(f"a base URL has no query, fragment or spaces: {url!r}")
    return url.rstrip("/")


def with_urls(rows, base_url: str = ""):
    """Each row (a dict with ``passage_id`` and/or ``report_id``) with its
    ``url``: the passage's page when it names a passage, else the report's."""
    for row in rows:
        if row.get("passage_id"):
            row["url"] = passage_url(row["passage_id"], base_url)
        elif row.get("report_id"):
            row["url"] = report_url(row["report_id"], base_url)
    return rows


def mark_html(text: str, spans) -> str:
    """``text`` HTML-escaped with every span (``[start, end]``, sorted, disjoint) in ``<mark>``."""
    return _marked(text, spans, escape, "<mark>", "</mark>")


def mark_text(text: str, spans, opening: str = "[", closing: str = "]") -> str:
    """``text`` with every span between ``opening`` and ``closing``."""
    return _marked(text, spans, str, opening, closing)


def snippet_html(snippet: dict) -> str:
    """A snippet (``indexer.search.snippets.snippet``) as HTML: matches in
    ``<mark>``, ``…`` where the passage goes on."""
    return _with_ellipses(snippet, mark_html(snippet["text"], snippet["spans"]))


def snippet_text(snippet: dict, opening: str = "[", closing: str = "]") -> str:
    """A snippet as plain text, matches in brackets, ``…`` where the passage goes on."""
    return _with_ellipses(snippet, mark_text(snippet["text"], snippet["spans"], opening, closing))


def hit(data: dict, base_url: str = "") -> dict:
    """A hit of ``Index.search`` as the JSON gives it: the same keys in the same
    order, ``snippet`` as HTML, plus ``url``."""
    out = dict(data)
    out["snippet"] = snippet_html(data["snippet"])
    out["url"] = passage_url(data["passage_id"], base_url)
    return out


def result(data: dict, base_url: str = "") -> dict:
    """A result of ``Index.search`` as the JSON gives it (every hit, and each
    report group's best hit, through :func:`hit`)."""
    out = {**data, "hits": [hit(h, base_url) for h in data["hits"]]}
    if "groups" in data:
        out["groups"] = [{**g, "best": hit(g["best"], base_url)} for g in data["groups"]]
    return out


def _marked(text: str, spans, escaped, opening: str, closing: str) -> str:
    out, at = [], 0
    for start, end in spans:
        out.append(escaped(text[at:start]))
        out.append(opening + escaped(text[start:end]) + closing)
        at = end
    out.append(escaped(text[at:]))
    return "".join(out)


def _with_ellipses(snippet: dict, body: str) -> str:
    return (ELLIPSIS if snippet["cut_before"] else "") + body + (ELLIPSIS if snippet["cut_after"] else "")
