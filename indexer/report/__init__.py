"""Report: a page as read (``read/``) → a :class:`~indexer.model.Report`: page
chrome dropped, paragraphs cleaned, metadata found, headings and passages.

May import: ``indexer.model``, ``indexer.errors``, ``indexer.read``, ``indexer.analysis``.
"""
from .corpus import (
    SAMPLES,
    ReadResult,
    list_report_files,
    load_manifest,
    read_report,
    read_reports,
)

__all__ = ["SAMPLES", "ReadResult", "list_report_files", "load_manifest", "read_report", "read_reports"]
