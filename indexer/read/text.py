"""Plain text in whatever encoding it was saved: UTF-8 (with or without BOM),
GB18030/GBK, Big5.  Detection is charset-normalizer's job, not ours."""
from __future__ import annotations

from charset_normalizer import from_bytes

from .errors import ReadError

# GB18030 is a superset of GBK and GB2312: decoding a GBK file as GB18030 is
# always right, and saves a wrong guess between the two.
_WIDEN = {"gbk": "gb18030", "gb2312": "gb18030", "hz": "gb18030"}


def decode_text(data: bytes) -> str:
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ReadError("binary file, not text")
    if data.startswith(b"\xef\xbb\xbf"):
        return _normalize_newlines(data[3:].decode("utf-8", errors="replace"))
    try:
        return _normalize_newlines(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is None:
        raise ReadError("binary file or unknown text encoding")
    encoding = _WIDEN.get(best.encoding.replace("_", "").lower(), best.encoding)
    text = data.decode(encoding, errors="replace")
    if text.count("\ufffd") > max(10, len(text) // 100):
        raise ReadError(f"text does not decode cleanly (guessed {best.encoding})")
    return _normalize_newlines(text)


def _normalize_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
