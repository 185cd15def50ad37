"""The report as a Word document (python-docx), laid out per NĐ 30/2020/NĐ-CP: A4, margins
top/bottom 20 mm, left 30 mm, right 15 mm, Times New Roman 13 (titles and motto 14)."""

from __future__ import annotations

import io

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph as DocxParagraph

from bot.evaluation.report import Paragraph, ReportDocument, TableBlock, cell_text

FONT = "Times New Roman"
BODY_SIZE = 13
TITLE_SIZE = 14
TEXT_WIDTH_MM = 210 - 30 - 15
ALIGN = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
}
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _line(
    paragraph: DocxParagraph,
    text: str,
    *,
    bold: bool = False,
    italic: bool = False,
    size: int = BODY_SIZE,
    underline: bool = False,
) -> None:
    run = paragraph.add_run(text)
    run.bold, run.italic, run.underline = bold, italic, underline
    run.font.size = Pt(size)
    run.font.name = FONT


def _centered(cell: _Cell, lines: list[tuple[str, bool, bool, int]]) -> None:
    first = True
    for text, bold, italic, size in lines:
        paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
        first = False
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.space_after = Pt(0)
        _line(paragraph, text, bold=bold, italic=italic, size=size)


def _heading(document: DocxDocument, report: ReportDocument) -> None:
    table = document.add_table(rows=2, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    widths = (Mm(65), Mm(TEXT_WIDTH_MM - 65))
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width
    body = [(report.parent_body.upper(), False, False, BODY_SIZE)] if report.parent_body else []
    body += [(line, True, False, BODY_SIZE) for line in report.issuing_body]
    _centered(table.cell(0, 0), body)
    _centered(
        table.cell(0, 1),
        [(report.national_title, True, False, BODY_SIZE), (report.motto, True, False, TITLE_SIZE)],
    )
    _centered(table.cell(1, 1), [(report.place_date, False, True, TITLE_SIZE)])
    for text, bold, italic, size in (
        (report.title, True, False, TITLE_SIZE),
        (report.subtitle, True, False, TITLE_SIZE),
        (report.as_of_line, False, True, TITLE_SIZE),
    ):
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.space_after = Pt(0)
        _line(paragraph, text, bold=bold, italic=italic, size=size)
    document.add_paragraph()


def _table(document: DocxDocument, block: TableBlock) -> Table:
    table = document.add_table(rows=1 + len(block.rows), cols=len(block.headers))
    table.style = "Table Grid"
    total = sum(block.widths)
    widths = [Mm(TEXT_WIDTH_MM * w / total) for w in block.widths]
    for index, header in enumerate(block.headers):
        cell = table.cell(0, index)
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        _line(cell.paragraphs[0], header, bold=True)
    for r, row in enumerate(block.rows, start=1):
        for c, value in enumerate(row):
            paragraph = table.cell(r, c).paragraphs[0]
            numeric = isinstance(value, int | float)
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER if numeric else WD_ALIGN_PARAGRAPH.LEFT
            _line(paragraph, cell_text(value))
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width
    return table


def render_docx(report: ReportDocument) -> bytes:
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_SIZE)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    document.core_properties.title = f"{report.title} {report.subtitle}"
    document.core_properties.author = " ".join(report.issuing_body)
    _heading(document, report)
    for block in report.blocks:
        if isinstance(block, Paragraph):
            paragraph = document.add_paragraph()
            paragraph.alignment = ALIGN[block.align]
            paragraph.paragraph_format.first_line_indent = (
                Mm(10) if block.align == "justify" else None
            )
            _line(paragraph, block.text, bold=block.bold, italic=block.italic)
        else:
            _table(document, block)
            document.add_paragraph()
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
