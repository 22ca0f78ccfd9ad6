"""PDF text layer via pdfminer.six.  Page breaks become form feeds so the cleaner
can tell them from paragraph breaks and join words they split."""
from __future__ import annotations

import io
import zlib
from contextlib import contextmanager

from .errors import ReadError


def pdf_to_text(data: bytes, max_unpacked: int | None = None) -> str:
    if not data.lstrip()[:5].startswith(b"%PDF"):
        raise ReadError("not a PDF file")
    from pdfminer.high_level import extract_text
    from pdfminer.layout import LAParams

    try:
        with bounded_streams(max_unpacked):
            text = extract_text(io.BytesIO(data), laparams=LAParams(line_margin=0.3))
    except ReadError:
        raise
    except Exception as exc:
        raise ReadError(f"corrupt or truncated PDF ({type(exc).__name__})") from exc
    return text


class _BoundedZlib:
    """``zlib`` as pdfminer's stream decoder sees it while one file is read:
    ``decompress`` inflates at most what is left of the file's budget and
    fails past it.  A 408 KB PDF holding a 400 MB stream peaked at 847 MB when
    every stream was inflated whole.  Everything else is ``zlib``'s own."""

    def __init__(self, most: int):
        self.left, self.most = most, most

    def decompress(self, data: bytes, *_args) -> bytes:
        inflater = zlib.decompressobj()
        out = inflater.decompress(data, self.left + 1)
        self.left -= len(out)
        if self.left < 0 or inflater.unconsumed_tail:
            raise ReadError(f"its streams unpack to more than {self.most >> 20} MB (limit: --max-unpacked-mb)")
        return out

    def __getattr__(self, name):
        return getattr(zlib, name)


@contextmanager
def bounded_streams(most: int | None):
    """While reading one PDF: its Flate streams together inflate to at most
    ``most`` bytes (None: no limit).  pdfminer's module is patched for the
    duration; a build reads one file at a time in each process."""
    from pdfminer import pdftypes

    if most is None:
        yield
        return
    pdftypes.zlib = _BoundedZlib(most)
    try:
        yield
    finally:
        pdftypes.zlib = zlib
