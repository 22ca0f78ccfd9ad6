"""JSON files of the index (``meta.json``, ``segment.json``, report structures, …)."""
from __future__ import annotations

import json
from pathlib import Path


def write_json(path: Path, data) -> None:
    # A file name in bytes that are not UTF-8 is a str with lone surrogates:
    # written as a \udcxx escape, which json reads back as the same str.
    """Write ``data`` as UTF-8 JSON; a file name in undecodable bytes survives the round trip."""
    path.write_bytes(json.dumps(data, ensure_ascii=False).encode("utf-8", "backslashreplace"))
