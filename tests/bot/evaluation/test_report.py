"""The report an office files, opened as .xlsx, .docx and .pdf: heading block, numbers, ranking
(hand-checked Tết 2026 data set, tests/bot/evaluation/dataset.py)."""

from __future__ import annotations

import io

import pytest
from docx import Document
from docx.shared import Length, Pt
from openpyxl import load_workbook
from pypdf import PdfReader

from bot.clock import FrozenClock
from bot.context import AppContext
from bot.evaluation.render import ReportFormat, render_report
from bot.evaluation.report import place_date
from tests.bot.evaluation import dataset

HEADING = [
    "ỦY BAN NHÂN DÂN",
    "THÀNH PHỐ HẢI PHÒNG",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "Hải Phòng, ngày 02 tháng 3 năm 2026",
    "BÁO CÁO",
    "Kết quả thực hiện nhiệm vụ từ ngày 01/02/2026 đến ngày 18/02/2026",
    "(Tính đến ngày 18/02/2026)",
]


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(dataset.NOW)


async def report(ctx: AppContext, fmt: ReportFormat) -> bytes:
    async with ctx.db.session() as session:
        await dataset.load(session, ctx)
    async with ctx.db.session() as session:
        return await render_report(session, ctx, dataset.PERIOD, fmt)


def test_place_and_date_write_a_leading_zero_below_10_and_for_january_and_february() -> None:
    import datetime as dt

    assert place_date("Hải Phòng", dt.date(2026, 1, 5)) == "Hải Phòng, ngày 05 tháng 01 năm 2026"
    assert place_date("Hải Phòng", dt.date(2026, 11, 30)) == "Hải Phòng, ngày 30 tháng 11 năm 2026"


async def test_docx_has_the_heading_block_both_bases_and_the_ranking(ctx: AppContext) -> None:
    document = Document(io.BytesIO(await report(ctx, ReportFormat.DOCX)))
    section = document.sections[0]

    def mm(length: Length | None) -> int:
        assert length is not None
        return round(length.mm)

    assert (mm(section.page_width), mm(section.page_height)) == (210, 297)
    assert (mm(section.left_margin), mm(section.right_margin)) == (30, 15)
    assert (mm(section.top_margin), mm(section.bottom_margin)) == (20, 20)
    assert document.styles["Normal"].font.name == "Times New Roman"
    sizes = {run.font.size for p in document.paragraphs for run in p.runs if run.text}
    assert sizes <= {Pt(13), Pt(14)}

    heading = document.tables[0]
    texts = [p.text for cell in heading._cells for p in cell.paragraphs if p.text]
    texts += [p.text for p in document.paragraphs if p.text]
    for line in HEADING:
        assert line in texts, line

    summary = {
        row.cells[0].text: [c.text for c in row.cells[1:]] for row in document.tables[1].rows
    }
    # 12 tasks: 7 on time (58,33 % of all; 5 of the 9 with a deadline = 55,56 %)
    assert summary["Tổng số nhiệm vụ"][0] == "12"
    assert summary["Hoàn thành đúng hạn"] == ["7", "58,33", "55,56"]
    assert summary["Quá hạn"] == ["2", "16,67", "22,22"]
    assert summary["Hoàn thành (nhiệm vụ không có thời hạn)"][0] == "2"

    rankings = [[c.text for c in row.cells] for t in document.tables[2:4] for row in t.rows]
    assert [
        *["1", "Sở Tài chính", "7", "3", "1", "7", "42,86", "Không hoàn thành", "—", "0"]
    ] in rankings
    assert ["1", "Phường Lê Chân", "3", "3", "0", "0", "100", "Xuất sắc", "+1", "0"] in rankings
    assert ["2", "Xã Vĩnh Bảo", "2", "1", "1", "7", "50", "Hoàn thành", "-1", "0"] in rankings
    body = "\n".join(p.text for p in document.paragraphs)
    assert "1/2 đơn vị đạt mức xuất sắc theo điểm, vượt giới hạn 20% (0 đơn vị)" in body

    overdue = [[c.text for c in row.cells] for row in document.tables[4].rows]
    assert overdue[1][1:] == [
        "D1",
        "Nhiệm vụ D1",
        "Xã Vĩnh Bảo",
        "11/02/2026",
        "7",
        "Chưa có báo cáo",
    ]
    assert overdue[2][1:6] == ["A2", "Nhiệm vụ A2", "Sở Tài chính", "12/02/2026", "6"]


async def test_pdf_is_a4_with_the_heading_block_and_ranking_in_vietnamese(
    ctx: AppContext,
) -> None:
    reader = PdfReader(io.BytesIO(await report(ctx, ReportFormat.PDF)))
    page = reader.pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    text = "\n".join(p.extract_text() for p in reader.pages)
    flat = " ".join(text.split())
    for line in HEADING:
        assert line in flat, line
    assert "Phường Lê Chân" in flat and "Xuất sắc" in flat
    assert "58,33" in flat and "55,56" in flat
    fonts = {
        str(font["/BaseFont"])
        for p in reader.pages
        for font in p["/Resources"]["/Font"].values()  # type: ignore[union-attr]
    }
    assert any("Serif" in name or "Times" in name for name in fonts), fonts


async def test_workbook_first_sheet_is_the_report_and_tables_print_well(ctx: AppContext) -> None:
    workbook = load_workbook(io.BytesIO(await report(ctx, ReportFormat.XLSX)))
    assert workbook.sheetnames == ["Báo cáo", "Xếp hạng", "Nhiệm vụ quá hạn"]
    first = workbook["Báo cáo"]
    values = [c.value for row in first.iter_rows() for c in row if c.value is not None]
    for line in HEADING:
        assert line in values, line
    assert int(first.page_setup.paperSize) == int(first.PAPERSIZE_A4)

    ranking = workbook["Xếp hạng"]
    header_row = next(r for r in range(1, 20) if ranking.cell(row=r, column=1).value == "Khối")
    rows = [
        [c.value for c in row]
        for row in ranking.iter_rows(min_row=header_row + 1, values_only=False)
    ]
    assert [
        "UBND các phường, xã, đặc khu",
        1,
        "Phường Lê Chân",
        3,
        3,
        0,
        0,
        100.0,
        "Xuất sắc",
        1,
        0,
    ] in rows
    assert ranking.freeze_panes == f"A{header_row + 1}"
    assert ranking.auto_filter.ref == f"A{header_row}:K{ranking.max_row}"
    assert ranking.print_title_rows == f"${header_row}:${header_row}"
    assert ranking.page_setup.orientation == "landscape"
    assert ranking.cell(row=header_row + 1, column=3).alignment.wrap_text  # unit names
    overdue = workbook["Nhiệm vụ quá hạn"]
    codes = [overdue.cell(row=r, column=2).value for r in range(1, overdue.max_row + 1)]
    assert codes[-2:] == ["D1", "A2"]


async def test_a_units_report_gives_its_head_its_figures_and_only_its_overdue_tasks(
    ctx: AppContext,
) -> None:
    async with ctx.db.session() as session:
        units = await dataset.load(session, ctx)
    async with ctx.db.session() as session:
        content = await render_report(session, ctx, dataset.PERIOD, ReportFormat.DOCX, units["tc"])
    document = Document(io.BytesIO(content))
    texts = [p.text for p in document.paragraphs]
    assert (
        "Kết quả thực hiện nhiệm vụ từ ngày 01/02/2026 đến ngày 18/02/2026 của Sở Tài chính"
        in texts
    )
    assert "Thủ trưởng đơn vị: Trần Văn Hùng." in texts
    summary = {
        row.cells[0].text: [c.text for c in row.cells[1:]] for row in document.tables[1].rows
    }
    assert summary["Hoàn thành đúng hạn"] == ["3", "42,86", "40"]  # 3 of 7; 2 of 5 with a deadline
    overdue = [[c.text for c in row.cells] for row in document.tables[-1].rows]
    assert [row[1] for row in overdue[1:]] == ["A2"]
    assert "Không có yêu cầu giải trình chưa trả lời." in texts


async def _explained_report(ctx: AppContext, fmt: ReportFormat) -> bytes:
    async with ctx.db.session() as session:
        await dataset.load(session, ctx)
        await dataset.add_explanations(session, ctx)
    async with ctx.db.session() as session:
        return await render_report(session, ctx, dataset.PERIOD, fmt)


EXPLAINED_ROWS = [
    [
        *["1", "A2", "Nhiệm vụ A2", "Sở Tài chính", "Phó Chủ tịch UBND thành phố Lê Ngọc Châu"],
        *["13/02/2026", "16/02/2026", "Quá hạn giải trình"],
    ],
    [
        *["2", "D1", "Nhiệm vụ D1", "Xã Vĩnh Bảo", "Phó Chủ tịch UBND thành phố Lê Ngọc Châu"],
        *["12/02/2026", "20/02/2026", "Trong hạn giải trình"],
    ],
]


async def test_unanswered_explanation_requests_in_the_docx_summary_ranking_and_section(
    ctx: AppContext,
) -> None:
    document = Document(io.BytesIO(await _explained_report(ctx, ReportFormat.DOCX)))
    body = "\n".join(p.text for p in document.paragraphs)
    assert "IV. YÊU CẦU GIẢI TRÌNH CHƯA TRẢ LỜI (tính đến ngày 18/02/2026)" in body
    assert "yêu cầu giải trình chưa trả lời: 2, giải trình trễ hạn: 2;" in body
    rankings = [[c.text for c in row.cells] for t in document.tables[2:4] for row in t.rows]
    assert rankings[0][-1] == "Giải trình chưa trả lời"
    assert [row[1] for row in rankings if row[-1] == "1"] == ["Sở Tài chính", "Xã Vĩnh Bảo"]
    listed = [[c.text for c in row.cells] for row in document.tables[-1].rows]
    assert listed[1:] == EXPLAINED_ROWS


async def test_unanswered_explanation_requests_in_the_workbook_and_pdf(ctx: AppContext) -> None:
    workbook = load_workbook(io.BytesIO(await _explained_report(ctx, ReportFormat.XLSX)))
    first = workbook["Báo cáo"]
    rows = [[c for c in row if c is not None] for row in first.iter_rows(values_only=True)]
    assert [1, *EXPLAINED_ROWS[0][1:]] in rows
    ranking = workbook["Xếp hạng"]
    values = [list(row) for row in ranking.iter_rows(values_only=True)]
    assert any(row[2] == "Sở Tài chính" and row[-1] == 1 for row in values)

    async with ctx.db.session() as session:
        pdf = await render_report(session, ctx, dataset.PERIOD, ReportFormat.PDF)
    flat = " ".join(
        " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split()
    )
    assert "YÊU CẦU GIẢI TRÌNH CHƯA TRẢ LỜI" in flat and "Quá hạn giải trình" in flat
