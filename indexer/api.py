"""The public interface of ``indexer``: what the CLI and the web app (and any
other program) may call.  Everything else is internal and may change.

The rules of a search request are defined once, in the library, and checked
here for every front end: the filter fields (``FIELDS``, ``FIELD_ALIASES``), the
facets (``FACETS``), the limits (``MAX_QUERY``, ``MAX_PAGE``, ``MAX_PER_PAGE``),
the sorts (``SORTS``), the id patterns; ``check_query``, ``check_sort``,
``check_report_id`` and ``check_passage_id`` raise the library's error with a
message and hint, and ``without_filter`` / ``without_quotes`` / ``without_groups`` /
``with_counts_literal`` edit a query as the query language reads it.  ``render_result`` and its helpers turn search
data into the JSON, HTML and text the front ends show.

Reading and building import the readers and Whoosh, which a server does not
need; they are imported on call, so ``import indexer.api`` stays light.
"""
from __future__ import annotations

import csv
from pathlib import Path

from . import DEFAULT_INDEX
from .errors import FazhiError, IndexDamaged, IndexMissing, IndexVersionError, NotFound
from .model import (
    CATEGORIES,
    DOC_TYPES,
    LOW_COVERAGE,
    PASSAGE_ID_PATTERN,
    REPORT_ID_PATTERN,
    made_up_title,
    resolve_category,
)
from .read import Limits, ReadError
from .render import hit as render_hit
from .render import (DEFAULT_BASE_URL, PASSAGE_ROUTE, REPORT_ROUTE, check_base_url, mark_html, mark_text, passage_url,
                     report_url, snippet_html, snippet_text, with_urls)
from .render import result as render_result

# Everything else is imported on first use (``__getattr__`` below): a command
# line that prints its help, or searches a quoted phrase, loads neither the
# research tools nor jieba, Whoosh or openpyxl.  name -> (module, its name there)
_SEARCH = ("DEFAULT_DEADLINE", "FACETS", "FIELD_ALIASES", "FIELDS", "GROUPS", "MAX_PAGE", "MAX_PER_PAGE", "MAX_QUERY",
           "REPORT_FACETS", "REPORT_FILTERS", "REPORT_SORTS", "SORTS", "TIMELINESS", "Index", "SearchError",
           "check_passage_id", "check_query", "check_report_id", "check_sort", "find_spans",
           "parse_deadline", "timeliness_value", "with_counts_literal", "without_filter", "without_groups",
           "without_quotes", "yes_no")
# Research tools (issue 15): concordance, trends, words, report cards.
_RESEARCH = ("card_of", "complete", "concordance", "corpus_view", "did_you_mean", "key_terms", "report_cards",
             "side_by_side", "similar_passages", "trend", "warm_words")
_EXPORT = {"EXPORT_COLUMNS": "COLUMNS", "EXPORT_FORMATS": "FORMATS", "EXPORT_LABELS": "LABELS",
           "EXPORT_MEDIA_TYPES": "MEDIA_TYPES", "EXPORT_SIDECAR_MEDIA_TYPE": "SIDECAR_MEDIA_TYPE",
           "export_chunks": "chunks", "export_file_name": "file_name", "export_provenance": "provenance",
           "export_sidecar": "sidecar", "export_table": "write"}
_LAZY = {
    **{name: ("search", name) for name in _SEARCH},
    **{name: ("research", name) for name in _RESEARCH},
    **{name: ("research.export", attribute) for name, attribute in _EXPORT.items()},
    **{name: ("research.cite", name) for name in ("RIS_MEDIA_TYPE", "cited_title", "gbt7714", "ris", "shown_url")},
    "AGENCY_LEVELS": ("report.issuer", "LEVELS"),
    "load_tokenizer": ("analysis.jieba_words", "segmenter"),
    "current_generation": ("store", "current_generation"), "read_meta": ("store", "read_meta"),
    "TieredMergePolicy": ("store.writer.merge_policy", "TieredMergePolicy"),
    # For programs that check the engine against a truth of their own (the
    # benchmarks): the matching form of a text, the Simplified script, what the
    # query language reads in a query, and every report a folder holds as a
    # build reads them.
    "normalize": ("analysis", "normalize"), "to_simplified": ("analysis", "to_simplified"),
    "parse_query": ("search.query", "parse_query"), "read_reports": ("report.corpus", "read_reports"),
}


def __getattr__(name: str):
    """The names of the search, the store, the exports and the research tools,
    imported when first asked for (``from indexer.api import open_index`` included)."""
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    module, attribute = _LAZY[name]
    value = globals()[name] = getattr(importlib.import_module(f".{module}", __package__), attribute)
    return value


__all__ = [
    "EXPORT_COLUMNS", "EXPORT_FORMATS", "EXPORT_MEDIA_TYPES", "GROUPS", "REPORT_SORTS", "export_chunks", "export_rows",
    "gbt7714",
    # citations, exports and the URL builder (issue 22 items 3-4)
    "DEFAULT_BASE_URL", "PASSAGE_ROUTE", "REPORT_ROUTE", "EXPORT_LABELS", "EXPORT_SIDECAR_MEDIA_TYPE", "check_base_url",
    "cited_title", "export_file_name", "export_provenance", "export_sidecar", "export_table", "report_url", "ris",
    "shown_url", "RIS_MEDIA_TYPE", "ris_of_search", "with_urls",
    "AGENCY_LEVELS", "CATEGORIES", "DEFAULT_INDEX", "FACETS", "FIELDS", "FIELD_ALIASES", "MAX_PAGE", "MAX_PER_PAGE",
    "MAX_QUERY", "PASSAGE_ID_PATTERN", "REPORT_ID_PATTERN", "SORTS", "FazhiError", "Index", "IndexMissing",
    "IndexVersionError", "Limits", "NotFound", "ReadError", "SearchError", "TieredMergePolicy", "build_index",
    "check_index", "check_index_quickly", "report_files", "open_index_lazily", "current_generation", "read_meta",
    "IndexDamaged", "serving_generation_name", "verify_index",
    "check_passage_id", "check_query", "check_report_id", "check_sort", "find_spans", "inspect_file",
    "DOC_TYPES", "LOW_COVERAGE", "made_up_title", "mark_html", "mark_text", "open_index", "passage_url", "render_hit",
    "render_result", "resolve_category",
    "DEFAULT_DEADLINE", "REPORT_FACETS", "REPORT_FILTERS", "TIMELINESS", "parse_deadline", "timeliness_value", "yes_no",
    "snippet_html", "snippet_text", "with_counts_literal", "without_filter", "without_groups", "without_quotes",
    # research tools
    "card_of", "complete", "concordance", "corpus_view", "did_you_mean", "key_terms", "report_cards",
    "side_by_side", "similar_passages", "trend", "warm_words",
    # jieba's whole dictionary, loaded now (a server, while its index opens)
    "load_tokenizer",
    # a truth of one's own (benchmarks)
    "normalize", "to_simplified", "parse_query", "read_reports",
]


def open_index_lazily(index_dir: str | Path = DEFAULT_INDEX):
    """``open_index(index_dir, preload=False)``: an index that reads only what
    each query touches, for a process that answers a query or two and exits
    (the command line); a server preloads (``open_index``)."""
    return open_index(index_dir, preload=False)


def export_rows(hits, base_url: str = "", accessed: str | None = None):
    """A search's hits as export rows (:data:`EXPORT_COLUMNS`), each passage's
    URL from the URL builder under ``base_url``."""
    from .research import export

    return export.export_rows(hits, lambda passage_id: passage_url(passage_id, base_url), accessed)


def ris_of_search(hits, base_url: str = "", accessed: str | None = None):
    """RIS records (text pieces) of the reports a search's hits come from, in order."""
    from .research.cite import ris_of_reports

    return ris_of_reports(hits, lambda report_id: report_url(report_id, base_url), accessed)


def build_index(paths=None, index_dir: str | Path = DEFAULT_INDEX, **options) -> dict:
    """Build or update the index at ``index_dir`` from ``paths`` (default: the samples)."""
    from . import build

    return build.build_index(paths, Path(index_dir), **options)


def report_files(paths, follow_links: bool = False) -> list[Path]:
    """The files under ``paths`` a build would read as reports (a format the reader takes)."""
    from .read import SUPPORTED
    from .report import list_report_files

    return [f for f in list_report_files(list(paths), follow_links) if f.suffix.lower() in SUPPORTED]


def inspect_file(path: str | Path, limits: Limits | None = None):
    """What the reader makes of one file (its folder's ``manifest.csv`` row applied):
    a :class:`~indexer.model.Report`; raises ``ReadError`` when it cannot be read,
    or is over one of the ``limits`` (default: ``Limits()``, as a build)."""
    from .report.corpus import load_manifest, read_within_limits

    path = Path(path)
    try:
        row = load_manifest(path.parent).get(path.name)
    except (OSError, ValueError, csv.Error):     # a broken manifest: read without it
        row = None
    return read_within_limits(path, row, limits or Limits())


def serving_generation_name(index_dir: str | Path = DEFAULT_INDEX) -> str | None:
    """The name of the generation the index's ``CURRENT`` link names (None: no link)."""
    import os

    try:
        return os.readlink(Path(index_dir) / "CURRENT")
    except OSError:
        return None


def verify_index(index_dir: str | Path = DEFAULT_INDEX, deep: bool = False) -> dict:
    """The serving generation's files against its build's checksums (``deep``:
    every byte, else sizes): ``{"generation", "files"}``; raises
    :class:`IndexDamaged` (or :class:`IndexMissing`)."""
    from .store import current_generation, read_meta
    from .store.format.checksums import verify
    from .store.directory.layout import segments_folder

    generation = current_generation(Path(index_dir))
    files = verify(generation, read_meta(generation), segments_folder(Path(index_dir)), deep=deep)
    return {"generation": generation.name, "files": files}


def check_index(index_dir: str | Path = DEFAULT_INDEX) -> dict:
    """The serving generation's metadata, without loading it; raises
    :class:`IndexMissing` (or :class:`IndexVersionError`) when there is none to serve."""
    from .store import current_generation, read_meta

    return read_meta(current_generation(Path(index_dir)))


def check_index_quickly(index_dir: str | Path = DEFAULT_INDEX) -> dict:
    """``check_index`` without parsing ``meta.json`` when its first bytes give this
    program's schema version (a build writes it first, and ``words``): a
    province's is 19 MB, parsed again when the index opens.  Returns those
    first fields (all of them when it had to parse); raises as ``check_index``
    does; an index whose metadata is damaged past its first bytes is found when it opens."""
    from .store import current_generation
    from .store.directory.layout import meta_head

    return meta_head(current_generation(Path(index_dir))) or check_index(index_dir)


# The cluster backend (issue 26): a ``mroonga://`` URL in place of an index folder.
from .cluster import EmbeddedOnly, is_backend_url  # noqa: E402


def open_index(target=DEFAULT_INDEX, preload: bool = True):
    """The index at ``target``: an index folder (``preload``: load its postings and
    texts now, as a server does; False, only what each query touches), or a
    cluster's backend URL (``mroonga://…``, see ``scripts/cluster.sh``), which
    answers searches the same way."""
    if is_backend_url(target):
        from .cluster import open_cluster

        return open_cluster(target)
    from .search import open_index as open_embedded

    return open_embedded(target, preload)


def sync_backend(url: str, index_dir=DEFAULT_INDEX) -> dict:
    """Bring the cluster at ``url`` up to date with the index at ``index_dir`` (changed reports only)."""
    from .cluster import sync_cluster

    return sync_cluster(url, index_dir)


def answerable_on_cluster(q: str) -> str:
    """``q`` as a cluster backend answers it (``q`` itself when it does): a 同句/同段
    group's words anywhere in the passage, count words literal (``"次数"``)."""
    from .cluster.planning import answerable

    return answerable(q)


__all__ += ["EmbeddedOnly", "answerable_on_cluster", "is_backend_url", "sync_backend"]
