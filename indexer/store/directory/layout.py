"""The index directory: generations swapped in atomically.

::

    index/
      CURRENT              -> gen-20261125T093000-1234   (a symlink)
      gen-20261125T093000-1234/
        meta.json          schema version, counts, facet values, report table (in full-rebuild
                           order), sources, and its segments with their deleted reports
        whoosh/            the Whoosh index, one document per passage (files hard-linked from
                           the previous generation's, then updated by Whoosh's own writer)
        near_duplicates.npz  near-identical pairs of distinct texts (by each text's hash)
        segments.json      the segments it lists, written first (a prune keeps them)
      segments/
        seg-20261125T093000-1234-5678/   columns, postings, texts, reports of some reports
                                         (``segment.py``); shared by the generations listing it

A build writes a new generation beside the serving one and then replaces the
``CURRENT`` link with ``os.replace``, which is atomic: a reader sees the old
index or the new one, never half of one, and a build killed midway leaves only
an orphan folder (and maybe an orphan segment) that the next build removes.  A
segment is removed only when no generation left lists it.
"""
from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import time
from contextlib import contextmanager
from pathlib import Path

from ...errors import IndexDamaged, IndexMissing, IndexVersionError
from ..format.json_file import parse_json, write_json
from ..format.segment import NORM_FILE  # noqa: F401  (re-exported: ``indexer.store.NORM_FILE``)

CURRENT = "CURRENT"
# Bump when the schema, the normalization or the files of an index change: an
# index of another version is refused with a hint to rebuild.  (Defined here,
# not in ``schema``, so reading an index does not import Whoosh.)
SCHEMA_VERSION = 10  # 6: agency_kind, agency_level facets; 7: segments; 8: Blosc postings; 9: common trigrams;
#                     10: doc_type facet, coverage
META = "meta.json"
_KEEP = 2     # generations kept: the serving one and its predecessor (open readers)
SEGMENTS = "segments"
PLANNED = "segments.json"   # written first in a generation folder: the segments it will list




def current_generation(root: Path) -> Path:
    """The folder of the serving generation, resolved."""
    link = Path(root) / CURRENT
    if not link.exists():
        raise IndexMissing(f"在 {root} 没有索引", hint="先运行 python -m indexer build")
    return link.resolve()


def meta_head(generation: Path) -> dict:
    """``schema_version`` and ``words`` of ``meta.json``, read from its first bytes
    (a build writes them first) without parsing the rest (19 MB at a province's
    archive); empty when they are not there or of another schema version, or
    the file cannot be read (``read_meta`` then says why)."""
    try:
        with open(generation / META, "rb") as handle:
            head = handle.read(80)
    except OSError:
        return {}
    found = _HEAD.match(head)
    if not found or int(found.group(1)) != SCHEMA_VERSION:
        return {}
    return {"schema_version": SCHEMA_VERSION, "words": found.group(2) == b"true"}


_HEAD = re.compile(rb'\{"schema_version": (\d+), "words": (true|false)[,}]')


def read_meta(generation: Path) -> dict:
    """A generation's ``meta.json``: ``IndexDamaged`` if unreadable, ``IndexVersionError`` if of another schema."""
    path = generation / META
    try:
        meta = parse_json(path.read_bytes())
    except (ValueError, UnicodeDecodeError):     # truncated or overwritten: one line, not a traceback
        raise IndexDamaged(f"damaged index file {path}: not readable as JSON",
                           hint="用 python -m indexer build 重建索引") from None
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):     # CURRENT names a folder without it
        raise IndexDamaged(f"damaged index file {path}: missing",
                           hint="用 python -m indexer build 重建索引") from None
    if not isinstance(meta, dict):
        raise IndexDamaged(f"damaged index file {path}: not an index's metadata",
                           hint="用 python -m indexer build 重建索引")
    if meta.get("schema_version") != SCHEMA_VERSION:
        raise IndexVersionError(
            f"the index in {generation.parent} has schema version {meta.get('schema_version')}, "
            f"this program reads version {SCHEMA_VERSION}", hint="用 python -m indexer build 重建索引")
    return meta


def segments_folder(root: Path) -> Path:
    """The folder of an index's segments, shared by its generations."""
    return Path(root) / SEGMENTS


def new_generation(root: Path) -> Path:
    """A new, empty generation folder under ``root`` (named by time and process), not yet served."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    path = root / _stamped("gen")
    path.mkdir()
    return path


def new_segment_name() -> str:
    """A fresh segment name; its folder is made by the segment writer."""
    return _stamped("seg")


def _stamped(kind: str) -> str:
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    return f"{kind}-{stamp}-{os.getpid()}-{time.monotonic_ns() % 100000}"


def plan_segments(generation: Path, names: list[str]) -> None:
    """Say which segments an unfinished generation uses, before it makes any:
    a prune by another build then keeps them."""
    write_json(generation / PLANNED, names)


def swap_in(root: Path, generation: Path) -> None:
    """Make ``generation`` the serving index, atomically, then prune old ones."""
    root = Path(root)
    temporary = root / f".{CURRENT}.{os.getpid()}"
    if temporary.is_symlink() or temporary.exists():
        temporary.unlink()
    temporary.symlink_to(generation.name)
    os.replace(temporary, root / CURRENT)
    _prune(root, keep=generation)


def remove_leftovers(root: Path) -> None:
    """What builds killed before they finished left behind: ``.CURRENT.<pid>``
    links (a kill between creating the link and the swap) and unfinished
    generations, of builds no longer running."""
    root = Path(root)
    if not root.is_dir():
        return
    for link in root.glob(f".{CURRENT}.*"):
        if not _alive(link.name.rsplit(".", 1)[-1]):
            link.unlink(missing_ok=True)
    for generation in root.glob("gen-*"):
        if not (generation / META).exists() and not _build_running(generation):
            shutil.rmtree(generation, ignore_errors=True)
    _prune_segments(root)


def _alive(pid_text: str) -> bool:
    try:
        pid = int(pid_text)
        os.kill(pid, 0)
    except (ValueError, ProcessLookupError, OverflowError):
        return False
    except PermissionError:
        return True
    return True


def _prune(root: Path, keep: Path) -> None:
    """Remove unfinished builds and all but the newest finished generations,
    except those a server still has open (``in_use``)."""
    generations = sorted(root.glob("gen-*"), key=lambda p: p.stat().st_mtime, reverse=True)
    finished = [g for g in generations if (g / META).exists()]
    keep_set = {keep.resolve(), *(g.resolve() for g in finished[:_KEEP])}
    for generation in generations:
        if generation.resolve() in keep_set or _build_running(generation):
            continue
        with _unused(generation) as unused:
            if unused:
                shutil.rmtree(generation, ignore_errors=True)
    _prune_segments(root)


def _prune_segments(root: Path) -> None:
    """Remove the segments no generation left lists (finished or still building)."""
    used: set[str] = set()
    for generation in root.glob("gen-*"):
        used.update(_listed_segments(generation))
    for segment in segments_folder(root).glob("seg-*"):
        if segment.name not in used and not _builder_alive(segment):
            shutil.rmtree(segment, ignore_errors=True)


def _listed_segments(generation: Path) -> list[str]:
    for name in (META, PLANNED):
        try:
            data = json.loads((generation / name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        return [s["name"] for s in data.get("segments", [])] if isinstance(data, dict) else list(data)
    return []


def hold(generation: Path) -> int:
    """A reader's shared lock on a generation (an fd to close when done): a
    build does not remove a generation a server still answers from, however
    many builds swap in meanwhile.  -1 when it cannot be taken."""
    try:
        fd = os.open(generation / META, os.O_RDONLY)
    except OSError:
        return -1
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        pass          # being removed: the reader fails on its own, with a clear error
    return fd


@contextmanager
def _unused(generation: Path):
    """True (with the generation locked against readers) when no reader holds it."""
    try:
        fd = os.open(generation / META, os.O_RDONLY)
    except OSError:
        yield True          # unfinished: no reader ever opened it
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        yield False
        return
    try:
        yield True
    finally:
        os.close(fd)


def _build_running(generation: Path) -> bool:
    """An unfinished generation whose builder process is still alive."""
    if (generation / META).exists():
        return False
    return _builder_alive(generation)


def _builder_alive(folder: Path) -> bool:
    """The process named in a generation's or segment's folder name is alive (and not this one)."""
    try:
        pid = int(folder.name.split("-")[2])
        os.kill(pid, 0)
    except (IndexError, ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return pid != os.getpid()
