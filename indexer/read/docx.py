"""Word documents: paragraph text in document order, tables row by row."""
from __future__ import annotations

import io
import zipfile

from .errors import ReadError


def docx_to_text(data: bytes, max_unpacked: int | None = None) -> str:
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ReadError("not a Word .docx file (not a zip package)")
    if max_unpacked is not None:
        _check_unpacked(data, max_unpacked)
    import docx  # python-docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = docx.Document(io.BytesIO(data))
    lines: list[str] = []
    for block in document.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(Paragraph(block, document).text)
        elif tag == "tbl":
            for row in Table(block, document).rows:
                cells = [c.text.strip() for c in row.cells]
                lines.append("\u3000".join(dict.fromkeys(c for c in cells if c)))
    return "\n\n".join(lines)


def _check_unpacked(data: bytes, most: int) -> None:
    """Refuse a package whose parts unpack to more than ``most`` bytes (a zip
    bomb: 390 KB of XML that unpacks to 100 MB holds a build for many minutes).
    The sizes in the zip's directory can lie, so each part is inflated in
    pieces and counted, stopping at the limit.  Pictures (``word/media/``) are
    not parsed, so they do not count."""
    total = 0
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        for info in package.infolist():
            if info.filename.startswith("word/media/"):
                continue
            with package.open(info) as part:
                while block := part.read(1 << 20):
                    total += len(block)
                    if total > most:
                        raise ReadError(f"unpacks to more than {most >> 20} MB (limit: --max-unpacked-mb)")
