"""Word documents: paragraph text in document order, tables row by row."""
from __future__ import annotations

import io
import zipfile

from .errors import ReadError


def docx_to_text(data: bytes, max_unpacked: int | None = None) -> str:
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ReadError("not a Word .docx file (not a zip package)")
    data = _without_pictures(data, max_unpacked)
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


_NOT_READ = ("word/media/", "word/embeddings/")     # pictures and embedded files: never parsed


def _without_pictures(data: bytes, most: int | None) -> bytes:
    """The package with its pictures and embedded files emptied, after checking
    that the rest unpacks to at most ``most`` bytes (None: no limit).

    A zip bomb (390 KB of XML that unpacks to 100 MB) held a build for many
    minutes; the sizes in the zip's directory can lie, so each part is inflated
    in pieces and counted, stopping at the limit.  Pictures are not text, but
    python-docx loads every part it is given: a 1 MB file with a 1 GB picture
    peaked at 2.1 GB.  So they are left out, as empty parts of the same name
    (the document's relationships still find them), and not inflated at all."""
    total = 0
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as package, zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as kept:
        for info in package.infolist():
            if info.filename.startswith(_NOT_READ):
                kept.writestr(info.filename, b"")
                continue
            with package.open(info) as part, kept.open(info.filename, "w", force_zip64=True) as copy:
                while block := part.read(1 << 20):
                    total += len(block)
                    if most is not None and total > most:
                        raise ReadError(f"unpacks to more than {most >> 20} MB (limit: --max-unpacked-mb)")
                    copy.write(block)
    return out.getvalue()
