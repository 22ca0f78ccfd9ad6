"""One route per page with an optional format suffix, and one renderer (as Datasette).

A page is declared once (:class:`Page`): its path, its template, a function
that returns the page as a plain dict and, where the page is a table or a
citation, a function that writes it as a file.  :func:`register` gives it one
view answering ``/kwic`` (the template), ``/kwic.json`` (the dict) and
``/kwic.csv`` / ``.xlsx`` / ``.jsonl`` / ``.csv-metadata.json`` / ``.ris``
(the export writer).  Endpoint names and URLs are kept as they were: each
suffix belongs to a named endpoint (``kwic_json``, ``kwic_csv``), so
``url_for("research.kwic_csv", fmt="xlsx")`` still builds ``/kwic.xlsx``.

Errors are one type, :class:`errors.WebError` (the library's ``FazhiError``
is turned into one), rendered by ``errors`` as an HTML page or, for a
``.json`` URL, ``{"ok": false, "error": …}`` with the same status.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, render_template
from indexer.api import FazhiError

from .errors import WebError, from_search_error
from .export_slots import bounded_export

HTML = "html"


@dataclass(frozen=True)
class Page:
    """A page: ``data(fmt, **args)`` gives its dict (for HTML and JSON),
    ``files(fmt, **args)`` its table or citations as a file; ``suffixes``
    maps each endpoint that answers a suffix to the suffixes it answers (the
    first one also answers without ``fmt`` given); ``html_error(error)``, when
    set, gives the page's own dict for a 400 (shown in its template)."""

    name: str
    path: str
    template: str
    data: Callable[..., dict]
    files: Callable | None = None
    suffixes: tuple[tuple[str, tuple[str, ...]], ...] = ()
    html_error: Callable[[WebError], dict] | None = None
    aliases: tuple[tuple[str, str], ...] = ()       # (path, endpoint) also answering the HTML page

    def render(self, fmt: str = HTML, **args):
        """The page in ``fmt``: the template, the dict (Flask sends it as JSON) or a file."""
        if fmt == "json":
            return self.data(fmt, **args)
        if fmt != HTML:     # a file: at most MAX_EXPORTS stream at once (export_slots)
            return bounded_export(self.files)(fmt, **args)
        try:
            return render_template(self.template, page=self.data(fmt, **args))
        except (WebError, FazhiError) as exc:
            error = exc if isinstance(exc, WebError) else from_search_error(exc)
            # 400: a query the page cannot read; 501: one only the embedded index answers
            # (a cluster backend): either way the page keeps it, to be changed there.
            if self.html_error is None or error.status not in (400, 501):
                raise
            return render_template(self.template, page=self.html_error(error)), error.status


def register(bp: Blueprint, page: Page) -> None:
    """Give ``page`` its one view at its path, its aliases and every suffix it answers."""
    def view(fmt: str = HTML, **args):
        return page.render(fmt, **args)

    view.__name__ = page.name
    view.__doc__ = f"The {page.name} page, as HTML or by its format suffix."
    bp.add_url_rule(page.path, page.name, view)
    for path, endpoint in page.aliases:
        bp.add_url_rule(path, endpoint, view)
    for endpoint, formats in page.suffixes:
        bp.add_url_rule(f"{page.path}.{formats[0]}", endpoint, view, defaults={"fmt": formats[0]})
        if len(formats) > 1:
            bp.add_url_rule(f"{page.path}.<any({_any(formats[1:])}):fmt>", endpoint, view)


def _any(formats) -> str:
    """The ``any`` converter's list: a suffix with a dot or dash is quoted."""
    return ", ".join(f'"{f}"' if not f.isalnum() else f for f in formats)
