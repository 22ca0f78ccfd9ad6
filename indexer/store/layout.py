"""The index directory: generations swapped in atomically.

::

    index/
      CURRENT              -> gen-20261125T093000-1234   (a symlink)
      gen-20261125T093000-1234/
        meta.json          schema version, counts, facet values, report table, sources
        whoosh/            the Whoosh index, one document per passage
        columns.npz        per passage: report, facet codes, year, section, length, text offsets
        norm.txt.gz        normalized passage texts, one per line (phrase verification)
        texts.bin          display texts, UTF-8, at the offsets in columns.npz
        postings.*         character unigram/bigram postings: arrays (.npy) and
                           compressed blocks (.z) (``postings.py``)
        reports/<id>.json  each report's metadata, headings and passages, without the text

A build writes a new generation beside the serving one and then replaces the
``CURRENT`` link with ``os.replace``, which is atomic: a reader sees the old
index or the new one, never half of one, and a build killed midway leaves only
an orphan folder that the next build removes.
"""
from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

from ..errors import IndexMissing, IndexVersionError

CURRENT = "CURRENT"
# Bump when the schema, the normalization or the files of an index change: an
# index of another version is refused with a hint to rebuild.  (Defined here,
# not in ``schema``, so reading an index does not import Whoosh.)
SCHEMA_VERSION = 6   # 6: agency_kind, agency_level facets
META = "meta.json"
NORM_FILE = "norm.txt.gz"   # normalized passage texts, one a line (gzip: a third of the size)
_KEEP = 2     # generations kept: the serving one and its predecessor (open readers)




def current_generation(root: Path) -> Path:
    """The folder of the serving generation, resolved."""
    link = Path(root) / CURRENT
    if not link.exists():
        raise IndexMissing(f"在 {root} 没有索引", hint="先运行 python -m indexer build")
    return link.resolve()


def read_meta(generation: Path) -> dict:
    meta = json.loads((generation / META).read_text(encoding="utf-8"))
    if meta.get("schema_version") != SCHEMA_VERSION:
        raise IndexVersionError(
            f"the index in {generation.parent} has schema version {meta.get('schema_version')}, "
            f"this program reads version {SCHEMA_VERSION}", hint="用 python -m indexer build 重建索引")
    return meta


def new_generation(root: Path) -> Path:
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    path = root / f"gen-{stamp}-{os.getpid()}-{time.monotonic_ns() % 100000}"
    path.mkdir()
    return path


def write_json(path: Path, data) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def swap_in(root: Path, generation: Path) -> None:
    """Make ``generation`` the serving index, atomically, then prune old ones."""
    root = Path(root)
    temporary = root / f".{CURRENT}.{os.getpid()}"
    if temporary.is_symlink() or temporary.exists():
        temporary.unlink()
    temporary.symlink_to(generation.name)
    os.replace(temporary, root / CURRENT)
    _prune(root, keep=generation)


def _prune(root: Path, keep: Path) -> None:
    """Remove unfinished builds and all but the newest finished generations."""
    generations = sorted(root.glob("gen-*"), key=lambda p: p.stat().st_mtime, reverse=True)
    finished = [g for g in generations if (g / META).exists()]
    keep_set = {keep.resolve(), *(g.resolve() for g in finished[:_KEEP])}
    for generation in generations:
        if generation.resolve() in keep_set or _build_running(generation):
            continue
        shutil.rmtree(generation, ignore_errors=True)


def _build_running(generation: Path) -> bool:
    """An unfinished generation whose builder process is still alive."""
    if (generation / META).exists():
        return False
    try:
        pid = int(generation.name.split("-")[2])
        os.kill(pid, 0)
    except (IndexError, ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return pid != os.getpid()
