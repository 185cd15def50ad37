"""One entry point for the report in any of its three formats (CLI, dashboard, digest)."""

from __future__ import annotations

import enum

from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import AppContext
from bot.evaluation.periods import Period
from bot.evaluation.render_docx import DOCX_MIME, render_docx
from bot.evaluation.render_pdf import PDF_MIME, render_pdf
from bot.evaluation.render_xlsx import render_xlsx
from bot.evaluation.report import build_report
from bot.models import Unit

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ReportFormat(enum.StrEnum):
    XLSX = "xlsx"
    DOCX = "docx"
    PDF = "pdf"

    @property
    def mime(self) -> str:
        return {ReportFormat.XLSX: XLSX_MIME, ReportFormat.DOCX: DOCX_MIME}.get(self, PDF_MIME)


def report_file_name(period: Period, fmt: ReportFormat, unit: Unit | None = None) -> str:
    scope = f"-{unit.code}" if unit is not None else ""
    label = period.label.replace("..", "_")
    return f"bao-cao-ket-qua-{label}{scope}.{fmt.value}"


async def render_report(
    session: AsyncSession,
    ctx: AppContext,
    period: Period,
    fmt: ReportFormat,
    unit: Unit | None = None,
) -> bytes:
    """The "Báo cáo kết quả thực hiện nhiệm vụ" for the city or one unit, as file bytes."""
    report = await build_report(session, ctx, period, unit)
    if fmt is ReportFormat.DOCX:
        return render_docx(report)
    if fmt is ReportFormat.PDF:
        return render_pdf(report, ctx.settings.report.pdf_font_dir)
    return render_xlsx(report)
