"""The public interface of ``indexer``: what the CLI and the web app (and any
other program) may call.  Everything else is internal and may change.

Reading and building import the readers and Whoosh, which a server does not
need; they are imported on call, so ``import indexer.api`` stays light.
"""
from __future__ import annotations

from pathlib import Path

from . import DEFAULT_INDEX
from .errors import FazhiError, IndexMissing, IndexVersionError, NotFound
from .read import ReadError
from .model import CATEGORIES, PASSAGE_ID_PATTERN, REPORT_ID_PATTERN, made_up_title, resolve_category
from .search import (
    FIELD_ALIASES,
    FIELDS,
    MAX_PAGE,
    MAX_PER_PAGE,
    MAX_QUERY,
    SORTS,
    Index,
    SearchError,
    open_index,
    search_passages,
)
from .store import current_generation, read_meta

__all__ = [
    "CATEGORIES", "DEFAULT_INDEX", "FIELDS", "FIELD_ALIASES", "MAX_PAGE", "MAX_PER_PAGE", "MAX_QUERY",
    "PASSAGE_ID_PATTERN", "REPORT_ID_PATTERN", "SORTS", "FazhiError", "Index", "IndexMissing",
    "IndexVersionError", "NotFound", "ReadError", "SearchError", "build_index", "check_index", "inspect_file",
    "made_up_title",
    "open_index", "resolve_category", "search_passages",
]


def build_index(paths=None, index_dir: str | Path = DEFAULT_INDEX, **options) -> dict:
    """Build or update the index at ``index_dir`` from ``paths`` (default: the samples)."""
    from . import build

    return build.build_index(paths, Path(index_dir), **options)


def inspect_file(path: str | Path):
    """What the reader makes of one file (its folder's ``manifest.csv`` row applied):
    a :class:`~indexer.model.Report`; raises ``ReadError`` when it cannot be read."""
    from .report import load_manifest, read_report

    path = Path(path)
    return read_report(path, load_manifest(path.parent).get(path.name))


def check_index(index_dir: str | Path = DEFAULT_INDEX) -> dict:
    """The serving generation's metadata, without loading it; raises
    :class:`IndexMissing` (or :class:`IndexVersionError`) when there is none to serve."""
    return read_meta(current_generation(Path(index_dir)))
