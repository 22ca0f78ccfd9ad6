"""Render: the library's search data as the edges show it, in one place.

The search side returns data (a snippet's text and match spans, ids); the CLI
and the web app call these functions to turn it into what they print or send:
HTML with ``<mark>`` (everything else escaped), text with ``[brackets]``, and
the passage URL ``/p/<id>``.  ``result`` gives the dict of ``indexer search
--json`` and ``/search.json``.  May import: nothing of ``indexer`` (it works
on plain dicts and lists).
"""
from __future__ import annotations

from html import escape

ELLIPSIS = "…"


def passage_url(passage_id: str) -> str:
    """The passage's page in the web app, as the JSON gives it."""
    return f"/p/{passage_id}"


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


def hit(data: dict) -> dict:
    """A hit of ``Index.search`` as the JSON gives it: the same keys in the same
    order, ``snippet`` as HTML, plus ``url``."""
    out = dict(data)
    out["snippet"] = snippet_html(data["snippet"])
    out["url"] = passage_url(data["passage_id"])
    return out


def result(data: dict) -> dict:
    """A result of ``Index.search`` as the JSON gives it (every hit, and each
    report group's best hit, through :func:`hit`)."""
    out = {**data, "hits": [hit(h) for h in data["hits"]]}
    if "groups" in data:
        out["groups"] = [{**g, "best": hit(g["best"])} for g in data["groups"]]
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
