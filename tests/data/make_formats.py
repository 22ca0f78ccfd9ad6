"""Make ``report.docx`` and ``report.pdf`` here from the start of a bundled sample.

The files are committed; this script says how they were made and remakes them:
``python tests/data/make_formats.py`` (needs python-docx, a dependency, and
reportlab, which is not: ``pip install reportlab`` in a scratch environment).
The PDF uses the Adobe CID font STSong-Light, which PDF readers know without
embedding it, so the file stays small and has a text layer pdfminer reads.
"""
from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
SAMPLE = HERE.parents[1] / "indexer" / "samples" / "000_f7229b1349f031b6.txt"
LINES = 15          # the title (split over two lines), the address, a heading and four paragraphs


def excerpt() -> str:
    """The first ``LINES`` lines of the sample: what both files hold."""
    return "\n".join(SAMPLE.read_text(encoding="utf-8").splitlines()[:LINES]) + "\n"


def paragraphs() -> list[str]:
    return [line.strip() for line in excerpt().splitlines() if line.strip()]


def make_docx(path: Path) -> None:
    from datetime import datetime

    import docx

    document = docx.Document()
    for text in paragraphs():
        document.add_paragraph(text)
    properties = document.core_properties
    properties.author = "fazhi-search tests"
    properties.created = properties.modified = datetime(2024, 1, 1)
    document.save(path)


def make_pdf(path: Path) -> None:
    from reportlab import rl_config
    from reportlab.lib.pagesizes import A5
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    rl_config.invariant = 1            # no creation date or random id: the same bytes every time
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    style = ParagraphStyle("body", fontName="STSong-Light", fontSize=12, leading=18, spaceAfter=12,
                           wordWrap="CJK")
    # A5: the text runs onto a second page, so a page break falls inside a paragraph.
    SimpleDocTemplate(str(path), pagesize=A5).build([Paragraph(text, style) for text in paragraphs()])


if __name__ == "__main__":
    make_docx(HERE / "report.docx")
    make_pdf(HERE / "report.pdf")
