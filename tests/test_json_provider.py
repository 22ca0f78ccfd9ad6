"""search_web.json_provider: the JSON twins written by orjson read as the
standard encoder wrote them (UTF-8 Chinese, the page's key order, compact)."""
from __future__ import annotations

import json
from datetime import date

from flask import Flask
from flask.json.provider import DefaultJSONProvider
from markupsafe import Markup

from search_web.json_provider import OrjsonProvider

PAGE = {"q": "双随机", "facets": {"year": [{"value": "2022", "count": 3}]}, "counts": {2022: 3, 2021: 1},
        "snippet": Markup("<mark>双随机</mark>一公开"), "date": date(2022, 1, 2), "none": None, "score": 1.25}


def served(provider) -> bytes:
    app = Flask(__name__)
    app.json = provider(app)
    app.json.ensure_ascii, app.json.sort_keys = False, False
    app.add_url_rule("/page.json", "page", lambda: PAGE)
    return app.test_client().get("/page.json").data


def test_the_same_json_as_the_standard_encoder():
    fast, standard = served(OrjsonProvider), served(DefaultJSONProvider)
    assert json.loads(fast) == json.loads(standard)
    assert list(json.loads(fast)) == list(PAGE)                  # keys in the page's order
    assert "双随机".encode() in fast and b"\\u" not in fast       # Chinese as UTF-8, not escaped
    assert fast.startswith(b'{"q":"') and b', "' not in fast       # compact


def test_dumps_with_options_falls_back_to_the_standard_encoder():
    app = Flask(__name__)
    app.json = OrjsonProvider(app)
    assert app.json.dumps({"b": 1, "a": 2}, sort_keys=True) == '{"a": 2, "b": 1}'
    assert app.json.dumps({"法": 1}) == '{"法":1}'
