"""PDF text layer via pdfminer.six.  Page breaks become form feeds so the cleaner
can tell them from paragraph breaks and join words they split."""
from __future__ import annotations

import io

from .errors import ReadError


def pdf_to_text(data: bytes) -> str:
    if not data.lstrip()[:5].startswith(b"%PDF"):
        raise ReadError("not a PDF file")
    from pdfminer.high_level import extract_text
    from pdfminer.layout import LAParams

    try:
        text = extract_text(io.BytesIO(data), laparams=LAParams(line_margin=0.3))
    except Exception as exc:
        raise ReadError(f"corrupt or truncated PDF ({type(exc).__name__})") from exc
    return text
