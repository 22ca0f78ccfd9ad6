"""JSON files of the index (``meta.json``, ``segment.json``, report structures, …)."""
from __future__ import annotations

import json
from pathlib import Path

import orjson


def write_json(path: Path, data) -> None:
    # A file name in bytes that are not UTF-8 is a str with lone surrogates:
    # written as a \udcxx escape, which json reads back as the same str.
    """Write ``data`` as UTF-8 JSON; a file name in undecodable bytes survives the round trip."""
    path.write_bytes(json.dumps(data, ensure_ascii=False).encode("utf-8", "backslashreplace"))


def parse_json(data: bytes):
    """``data`` (UTF-8 JSON) parsed by orjson: a province's ``meta.json`` (19 MB)
    in a quarter of the standard parser's time, every server start.  orjson
    refuses the ``\\udcxx`` escape ``write_json`` gives an undecodable file
    name, and the standard parser reads it back: a file orjson refuses is parsed
    by that (which raises ``ValueError`` for one that is not JSON)."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return json.loads(data)
