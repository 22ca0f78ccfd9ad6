"""Saved government web pages: the article body only.

trafilatura finds the main content and drops navigation, breadcrumbs, share
bars, related links, footers and scripts; it lifts the page heading into its
metadata, so we put that heading back in front of the body, where the plain-text
edition of the same report has it.
"""
from __future__ import annotations

import trafilatura

from .errors import ReadError


def html_to_text(data: bytes) -> tuple[str, dict]:
    document = trafilatura.bare_extraction(
        data, include_tables=True, include_comments=False, favor_recall=True,
        with_metadata=True, deduplicate=False,
    )
    if document is None or not (document.text or "").strip():
        raise ReadError("no article text found in the web page")
    text = document.text
    heading = (document.title or "").strip()
    first_line = text.lstrip().split("\n", 1)[0].strip()
    if heading and heading != first_line and heading not in text[:400]:
        text = heading + "\n\n" + text
    hints = {"title": heading, "date": document.date or "", "meta": page_meta(data)}
    return text, hints


def page_meta(data: bytes) -> dict[str, str]:
    """The page's ``<meta name=… content=…>`` tags (ArticleTitle, PubDate,
    ContentSource … on government sites), for the metadata reader."""
    from lxml import html as lxml_html

    try:
        from trafilatura.utils import decode_file   # the same decoding the body got

        root = lxml_html.fromstring(decode_file(data))
    except (ValueError, TypeError, SyntaxError, ImportError):
        return {}
    meta: dict[str, str] = {}
    for element in root.iter("meta"):
        name, content = element.get("name"), element.get("content")
        if name and content and name not in meta:
            meta[name.strip()] = content.strip()
    return meta
