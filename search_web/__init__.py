"""fazhi-search web app: ranked search, facets, reports and passage permalinks.

``create_app`` is a Flask app factory.  The index directory comes from
``test_config["INDEX_DIR"]``, else ``FAZHI_INDEX_DIR`` in the environment,
else the project's default ``index/``; the site's public address (permalinks,
citations, exports) from ``BASE_URL`` / ``FAZHI_BASE_URL`` (see ``urls.citable_root``).
"""
from __future__ import annotations

from pathlib import Path

from flask import Flask

from . import errors
from .index import EXTENSION, IndexHolder, get_index, release_index  # noqa: F401  (get_index is API)

# No inline script or style anywhere, no outside requests: everything is 'self'.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def default_index_dir() -> Path:
    """The project's ``index/`` folder (the library's default)."""
    from indexer.api import DEFAULT_INDEX

    return Path(DEFAULT_INDEX)


def create_app(test_config: dict | None = None) -> Flask:
    """The web app, configured from ``test_config``, then the environment, then the defaults."""
    from .json_provider import OrjsonProvider
    from .templating import PageEnvironment

    app = Flask(__name__)
    app.jinja_environment = PageEnvironment     # before anything creates app.jinja_env
    app.config.from_mapping(INDEX_DIR=None, BACKEND=None, JSON_INDENT=None)
    app.config.from_prefixed_env("FAZHI")  # FAZHI_INDEX_DIR=/path, FAZHI_BACKEND=mroonga://…
    if test_config:
        app.config.update(test_config)
    app.config["INDEX_DIR"] = Path(app.config["INDEX_DIR"] or default_index_dir())
    app.config["BASE_URL"] = _base_url(app.config.get("BASE_URL"))
    # Chinese stays readable in the JSON twins, and keys keep the page's order.
    app.json = OrjsonProvider(app)
    # A server freezes what the index loads out of the collector's passes (search_web.index);
    # a test process (TESTING) runs many apps and keeps its collector as it is.
    # A server also files the vocabulary for "did you mean" in the background
    # when it loads a generation (WARM_WORDS); tests build it when first asked.
    # A server loads a new generation in the background and swaps it in when
    # loaded; a test's next request waits for it (WAIT_FOR_SWAP).
    app.extensions[EXTENSION] = IndexHolder(app.config.get("BACKEND") or app.config["INDEX_DIR"],
                                            freeze_gc=app.config.get("FREEZE_GC", not app.testing),
                                            warm_words=app.config.get("WARM_WORDS", not app.testing),
                                            wait_for_swap=app.config.get("WAIT_FOR_SWAP", app.testing),
                                            verify_in_background=app.config.get("VERIFY_IN_BACKGROUND", False))
    if app.config.get("VERIFY_AFTER") is not None:      # an Event: the background reading waits for it
        app.extensions[EXTENSION].verify_after(app.config["VERIFY_AFTER"])
    app.teardown_appcontext(release_index)

    from . import filters, views

    app.url_map.converters["id"] = views.IdConverter
    app.register_blueprint(views.bp)
    _register_research(app)
    from . import health       # /healthz (issue 27)

    health.register(app)
    errors.register(app)
    filters.register(app)
    app.after_request(_security_headers)
    return app


def _base_url(value) -> str:
    """``BASE_URL`` (``FAZHI_BASE_URL``, ``--base-url``) checked once, at start:
    a bad one stops the app with the reason, not every export later."""
    from indexer.api import check_base_url

    return check_base_url(str(value)) if value else ""


def _register_research(app: Flask) -> None:
    """The research tools (issue 15): /kwic, /trend, /cards, /suggest.json."""
    from . import research

    app.register_blueprint(research.bp)


def _security_headers(response):
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if response.mimetype == "application/json":
        # A twin opened by another site's script should not be readable there.
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
    return response
