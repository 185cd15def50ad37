"""The report as PDF (ReportLab), with the layout of the .docx: A4, margins top/bottom 20 mm,
left 30 mm, right 15 mm, a Times-like serif 13 pt (titles 14 pt).

Times New Roman cannot be shipped, so the font is, in order: the TrueType family in
``report.pdf_font_dir`` (e.g. Times New Roman where it is licensed), Liberation Serif
(metric-compatible with Times New Roman) if installed, else DejaVu Serif, which matplotlib
ships and which has every Vietnamese glyph."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import matplotlib
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus import Paragraph as PdfParagraph

from bot.evaluation.report import Paragraph, ReportDocument, TableBlock, cell_text

PDF_MIME = "application/pdf"
BODY_SIZE = 13
TITLE_SIZE = 14
TEXT_WIDTH = A4[0] - 45 * mm
ALIGN = {"left": TA_LEFT, "center": TA_CENTER, "right": TA_RIGHT, "justify": TA_JUSTIFY}
STYLES = ("regular", "bold", "italic", "bolditalic")
FAMILIES: tuple[tuple[str, tuple[str, str, str, str]], ...] = (
    (
        "TimesNewRoman",
        ("times.ttf", "timesbd.ttf", "timesi.ttf", "timesbi.ttf"),
    ),
    (
        "TimesNewRoman",
        (
            "Times New Roman.ttf",
            "Times New Roman Bold.ttf",
            "Times New Roman Italic.ttf",
            "Times New Roman Bold Italic.ttf",
        ),
    ),
    (
        "LiberationSerif",
        (
            "LiberationSerif-Regular.ttf",
            "LiberationSerif-Bold.ttf",
            "LiberationSerif-Italic.ttf",
            "LiberationSerif-BoldItalic.ttf",
        ),
    ),
    (
        "DejaVuSerif",
        (
            "DejaVuSerif.ttf",
            "DejaVuSerif-Bold.ttf",
            "DejaVuSerif-Italic.ttf",
            "DejaVuSerif-BoldItalic.ttf",
        ),
    ),
)
SYSTEM_DIRS = (
    Path("/usr/share/fonts/truetype/msttcorefonts"),
    Path("/usr/share/fonts/truetype/liberation"),
    Path("/usr/share/fonts/truetype/liberation2"),
    Path("/usr/share/fonts/liberation-serif"),
)


@dataclass(frozen=True)
class FontFamily:
    name: str
    files: tuple[Path, Path, Path, Path]


def find_font(configured: str | None) -> FontFamily:
    """The first complete family found: the configured folder, system folders, matplotlib's."""
    folders = [Path(configured)] if configured else []
    folders += [*SYSTEM_DIRS, Path(matplotlib.get_data_path()) / "fonts" / "ttf"]
    for folder in folders:
        for name, files in FAMILIES:
            paths = tuple(folder / file for file in files)
            if all(path.is_file() for path in paths):
                return FontFamily(name, paths)  # type: ignore[arg-type]
    raise FileNotFoundError("no TrueType serif family with Vietnamese glyphs was found")


def _register(family: FontFamily) -> str:
    names = [f"{family.name}-{style}" for style in STYLES]
    if names[0] not in pdfmetrics.getRegisteredFontNames():
        for font_name, path in zip(names, family.files, strict=True):
            pdfmetrics.registerFont(TTFont(font_name, str(path)))
        pdfmetrics.registerFontFamily(
            names[0], normal=names[0], bold=names[1], italic=names[2], boldItalic=names[3]
        )
    return names[0]


def _style(font: str, *, size: int = BODY_SIZE, align: str = "justify") -> ParagraphStyle:
    return ParagraphStyle(
        f"s{size}{align}", fontName=font, fontSize=size, leading=size * 1.25, alignment=ALIGN[align]
    )


def _text(text: str, bold: bool = False, italic: bool = False) -> str:
    markup = escape(text)
    if bold:
        markup = f"<b>{markup}</b>"
    if italic:
        markup = f"<i>{markup}</i>"
    return markup


def _heading(report: ReportDocument, font: str) -> list[Flowable]:
    center = _style(font, align="center")
    center_title = _style(font, size=TITLE_SIZE, align="center")
    body = [PdfParagraph(_text(report.parent_body.upper()), center)] if report.parent_body else []
    body += [PdfParagraph(_text(line, bold=True), center) for line in report.issuing_body]
    nation = [
        PdfParagraph(_text(report.national_title, bold=True), center),
        PdfParagraph(_text(report.motto, bold=True), center_title),
    ]
    block = Table(
        [[body, nation], ["", PdfParagraph(_text(report.place_date, italic=True), center_title)]],
        colWidths=[65 * mm, TEXT_WIDTH - 65 * mm],
    )
    block.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return [
        block,
        Spacer(1, 6 * mm),
        PdfParagraph(_text(report.title, bold=True), center_title),
        PdfParagraph(_text(report.subtitle, bold=True), center_title),
        PdfParagraph(_text(report.as_of_line, italic=True), center_title),
        Spacer(1, 6 * mm),
    ]


def _table(block: TableBlock, font: str) -> Table:
    header = _style(font, align="center")
    left = _style(font, align="left")
    center = _style(font, align="center")
    rows = [[PdfParagraph(_text(h, bold=True), header) for h in block.headers]]
    for row in block.rows:
        rows.append(
            [
                PdfParagraph(_text(cell_text(v)), center if isinstance(v, int | float) else left)
                for v in row
            ]
        )
    total = sum(block.widths)
    table = Table(rows, colWidths=[TEXT_WIDTH * w / total for w in block.widths], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return table


def render_pdf(report: ReportDocument, font_dir: str | None = None) -> bytes:
    font = _register(find_font(font_dir))
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        leftMargin=30 * mm,
        rightMargin=15 * mm,
        title=f"{report.title} {report.subtitle}",
        author=" ".join(report.issuing_body),
    )
    story: list[Flowable] = _heading(report, font)
    for block in report.blocks:
        if isinstance(block, Paragraph):
            style = _style(font, align=block.align)
            if block.align == "justify":
                style.firstLineIndent = 10 * mm
            story.append(PdfParagraph(_text(block.text, block.bold, block.italic), style))
            story.append(Spacer(1, 2 * mm))
        else:
            story += [_table(block, font), Spacer(1, 4 * mm)]
    document.build(story)
    return buffer.getvalue()
