"""Word documents: paragraph text in document order, tables row by row."""
from __future__ import annotations

import io
import zipfile

from .errors import ReadError


def docx_to_text(data: bytes) -> str:
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ReadError("not a Word .docx file (not a zip package)")
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
