"""Read one published file into raw text.
May import: ``indexer.errors`` only (and the format libraries); the first stage.

One module per format; :func:`read_file` picks by extension and turns every
failure into :class:`ReadError` with a one-line reason, so a folder run can skip
the file and go on.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import ReadError
from .limits import MB, FileTimeout, Limits, time_limit

SUPPORTED = {".txt": "txt", ".md": "txt", ".text": "txt",
             ".html": "html", ".htm": "html", ".shtml": "html",
             ".docx": "docx", ".pdf": "pdf"}


@dataclass
class RawText:
    path: Path
    fmt: str      # txt, html, docx, pdf
    text: str
    hints: dict | None = None   # what the format itself says: a web page's heading and date


def read_file(path: str | Path, limits: Limits | None = None) -> RawText:
    """Read ``path`` into text; raise :class:`ReadError` when it cannot be read
    or is over one of the ``limits`` (size, unpacked size)."""
    path = Path(path)
    limits = limits or Limits()
    fmt = SUPPORTED.get(path.suffix.lower())
    if fmt is None:
        raise ReadError(f"unknown file type {path.suffix or '(no extension)'!r}")
    data = _read_bytes(path, limits.bytes)
    if not data.strip():
        raise ReadError("empty file")
    reader = _READERS[fmt]
    try:
        text, hints = reader(data, limits)
    except ReadError:
        raise
    except Exception as exc:  # a corrupt file can fail anywhere inside a library
        raise ReadError(f"cannot read as {fmt}: {type(exc).__name__}: {exc}".strip()[:200]) from exc
    if not text or not text.strip():
        raise ReadError("no text found" + (" (no text layer)" if fmt == "pdf" else ""))
    if text.count("\n") > limits.lines:
        raise ReadError(f"more than {limits.lines:,} lines of text, more than a report has")
    return RawText(path=path, fmt=fmt, text=text, hints=hints or {})


def _read_at_most(handle, most: int) -> bytes:
    pieces, size = [], 0
    while size < most and (piece := handle.read(min(1 << 22, most - size))):
        pieces.append(piece)
        size += len(piece)
    return b"".join(pieces)


def _read_bytes(path: Path, most: int) -> bytes:
    """The file's bytes; refused unread when there are more than ``most``."""
    try:
        with open(path, "rb") as handle:
            # No stat(): what is read is what counts.  In pieces: one read(most + 1)
            # reserves the whole limit (100 MB) for every file, however small.
            data = _read_at_most(handle, most + 1)
    except OSError as exc:
        raise ReadError(f"cannot open: {exc.strerror or exc}") from exc
    if len(data) > most:
        raise ReadError(f"larger than {round(most / MB, 3):g} MB (limit: --max-file-mb)")
    return data


def _read_txt(data: bytes, _limits: Limits):
    from .text import decode_text
    return decode_text(data), {}


def _read_html(data: bytes, _limits: Limits):
    from .html import html_to_text
    return html_to_text(data)


def _read_docx(data: bytes, limits: Limits):
    from .docx import docx_to_text
    return docx_to_text(data, limits.unpacked), {}


def _read_pdf(data: bytes, limits: Limits):
    from .pdf import pdf_to_text
    return pdf_to_text(data, limits.unpacked), {}


_READERS = {"txt": _read_txt, "html": _read_html, "docx": _read_docx, "pdf": _read_pdf}

__all__ = ["FileTimeout", "Limits", "MB", "RawText", "ReadError", "read_file", "SUPPORTED", "time_limit"]
