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
    root = _parse(data)
    hints = {"title": heading, "meta": _meta_tags(root), "page_text": _page_text(root)}
    return text, hints


_BLOCKS = {"p", "div", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "br", "span", "dd", "dt",
           "section", "article", "header", "footer", "table", "ul", "ol"}


def _parse(data: bytes):
    from lxml import html as lxml_html

    try:
        from trafilatura.utils import decode_file   # the same decoding the body got

        return lxml_html.fromstring(decode_file(data))
    except (ValueError, TypeError, SyntaxError, ImportError):
        return None


def _meta_tags(root) -> dict[str, str]:
    """The page's ``<meta name=… content=…>`` tags (ArticleTitle, PubDate,
    ContentSource … on government sites), for the metadata reader."""
    meta: dict[str, str] = {}
    for element in root.iter("meta") if root is not None else ():
        name, content = element.get("name"), element.get("content")
        if name and content and name.strip() not in meta:
            meta[name.strip()] = content.strip()
    return meta


def _page_text(root) -> str:
    """The whole page as lines of text, chrome included: the 信息公开 index block
    and the byline usually stand outside the article body trafilatura keeps."""
    if root is None:
        return ""
    for element in root.iter("script", "style", "noscript"):
        element.text = ""
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.lower() in _BLOCKS:
            element.tail = "\n" + (element.tail or "")
    lines = (line.strip() for line in root.text_content().split("\n"))
    return "\n".join(line for line in lines if line)
