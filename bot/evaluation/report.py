"""The "Báo cáo kết quả thực hiện nhiệm vụ" as a neutral document (heading block per
NĐ 30/2020/NĐ-CP, paragraphs, tables), which ``bot.evaluation.render`` writes as .xlsx, .docx
or .pdf, so the three files always say the same thing.

Explanation requests still unanswered at the period's end are counted per unit (summary and
ranking) and listed in their own section.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import AppContext
from bot.evaluation.periods import Period, PeriodKind
from bot.evaluation.ranking import Evaluation, Ranking, evaluate
from bot.evaluation.rating import Rating
from bot.evaluation.scorecard import (
    OverdueTask,
    PendingExplanation,
    Scorecard,
    overdue_tasks,
    pending_explanations,
    share,
)
from bot.i18n import format_date
from bot.models import Unit, UnitKind
from bot.status import STATUS_ORDER, Status
from bot.texts import TEXTS as DOMAIN_TEXTS
from bot.workbook_layout import MOTTO, NATIONAL_TITLE

REPORT_TITLE = "BÁO CÁO"
CITY_NAME = "Toàn thành phố"

RATING_NAMES: dict[Rating, str] = {
    Rating.EXCELLENT: "Xuất sắc",
    Rating.GOOD: "Tốt",
    Rating.COMPLETED: "Hoàn thành",
    Rating.NOT_COMPLETED: "Không hoàn thành",
}
KIND_HEADINGS: dict[UnitKind, str] = {
    UnitKind.DEPARTMENT: "Các sở, ban, ngành",
    UnitKind.COMMUNE: "UBND các phường, xã, đặc khu",
    UnitKind.OTHER: "Các đơn vị khác",
}
ROMAN = ("I", "II", "III", "IV", "V")
SUMMARY_HEADERS = ("Nội dung", "Số nhiệm vụ", "Tỷ lệ / tổng số (%)", "Tỷ lệ / có thời hạn (%)")
RANKING_HEADERS = (
    "Thứ hạng",
    "Đơn vị",
    "Số nhiệm vụ",
    "Hoàn thành đúng hạn",
    "Quá hạn",
    "Số ngày chậm",
    "Điểm",
    "Xếp loại",
    "So với kỳ trước",
    "Giải trình chưa trả lời",
)
OVERDUE_HEADERS = (
    "STT",
    "Mã",
    "Nhiệm vụ",
    "Đơn vị chủ trì",
    "Thời hạn",
    "Số ngày quá hạn",
    "Báo cáo gần nhất",
)
EXPLANATION_HEADERS = (
    "STT",
    "Mã",
    "Nhiệm vụ",
    "Đơn vị được yêu cầu",
    "Người yêu cầu",
    "Ngày yêu cầu",
    "Hạn giải trình",
    "Tình trạng",
)

Align = Literal["left", "center", "right", "justify"]
Cell = str | int | float | None


@dataclass(frozen=True)
class Paragraph:
    text: str
    bold: bool = False
    italic: bool = False
    align: Align = "justify"


@dataclass(frozen=True)
class TableBlock:
    headers: tuple[str, ...]
    rows: list[tuple[Cell, ...]]
    widths: tuple[float, ...]
    """Relative column widths (they are scaled to the page)."""


Block = Paragraph | TableBlock


@dataclass
class ReportDocument:
    """Everything the three formats write, in order."""

    issuing_body: list[str]
    parent_body: str
    place_date: str
    title: str
    subtitle: str
    as_of_line: str
    blocks: list[Block] = field(default_factory=list)
    evaluation: Evaluation | None = None

    @property
    def national_title(self) -> str:
        return NATIONAL_TITLE

    @property
    def motto(self) -> str:
        return MOTTO


def place_date(place: str, day: dt.date) -> str:
    """ "Hải Phòng, ngày 05 tháng 01 năm 2026": day below 10 and month below 3 get a 0 (NĐ 30)."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def period_words(period: Period) -> str:
    if period.kind is PeriodKind.MONTH:
        return f"tháng {period.start.month} năm {period.start.year}"
    if period.kind is PeriodKind.QUARTER:
        return f"quý {ROMAN[(period.start.month - 1) // 3]} năm {period.start.year}"
    if period.kind is PeriodKind.YEAR:
        return f"năm {period.start.year}"
    return f"từ ngày {format_date(period.start)} đến ngày {format_date(period.end)}"


def issuing_body_lines(name: str) -> list[str]:
    """The issuing body on two lines where it names a People's Committee."""
    lines = [line.strip() for line in name.splitlines() if line.strip()]
    if len(lines) == 1 and lines[0].upper().startswith("ỦY BAN NHÂN DÂN "):
        return ["ỦY BAN NHÂN DÂN", lines[0][len("ỦY BAN NHÂN DÂN ") :]]
    return lines


def _summary_blocks(card: Scorecard, number: str, scope: str) -> list[Block]:
    without = card.total - card.with_deadline
    rows: list[tuple[Cell, ...]] = [
        ("Tổng số nhiệm vụ", card.total, share(card.total, card.total), None),
    ]
    for status in STATUS_ORDER:
        rows.append(
            (
                DOMAIN_TEXTS.t(f"status.{status.value}"),
                card.counts[status],
                share(card.counts[status], card.total),
                share(card.deadline_count(status), card.with_deadline),
            )
        )
    rows.append(
        (
            "Hoàn thành (nhiệm vụ không có thời hạn)",
            card.done_without_deadline,
            share(card.done_without_deadline, card.total),
            None,
        )
    )
    score = "chưa xếp loại" if card.score is None else f"{_number(card.score)}/100"
    rating = f" ({RATING_NAMES[card.rating]})" if card.rating else ""
    head = [Paragraph(f"Thủ trưởng đơn vị: {card.head_name}.")] if card.head_name else []
    return [
        Paragraph(f"{number}. TỔNG HỢP CHUNG ({scope.upper()})", bold=True, align="left"),
        *head,
        Paragraph(
            f"Tổng số nhiệm vụ tính trong kỳ: {card.total} (có thời hạn: {card.with_deadline}; "
            f"không có thời hạn: {without}). Tỷ lệ tính trên hai cơ sở: tổng số nhiệm vụ và số "
            "nhiệm vụ có thời hạn."
        ),
        TableBlock(SUMMARY_HEADERS, rows, (70, 25, 30, 30)),
        Paragraph(
            f"Số nhiệm vụ được gia hạn: {card.extended_tasks} "
            f"({_number(card.extension_share or 0)}% tổng số), {card.extensions} lần gia hạn; "
            f"tổng số ngày chậm (ngày lịch): {card.days_late}; "
            f"nhiệm vụ chưa báo cáo đúng kỳ: {card.late_reports}; "
            f"yêu cầu giải trình chưa trả lời: {card.open_explanations}, giải trình trễ hạn: "
            f"{card.late_explanations}; điểm: {score}{rating}."
        ),
    ]


def _change(previous: int | None, position: int) -> str:
    if previous is None:
        return "—"
    delta = previous - position
    return f"+{delta}" if delta > 0 else str(delta)


def _ranking_blocks(ranking: Ranking, number: int) -> list[Block]:
    rows: list[tuple[Cell, ...]] = [
        (
            row.position,
            row.card.name,
            row.card.total,
            row.card.counts[Status.DONE_ON_TIME],
            row.card.counts[Status.OVERDUE],
            row.card.days_late,
            row.card.score,
            RATING_NAMES[row.card.rating] if row.card.rating else "",
            _change(row.previous_position, row.position),
            row.card.open_explanations,
        )
        for row in ranking.rows
    ]
    cap = ranking.cap
    blocks: list[Block] = [
        Paragraph(f"{number}. {KIND_HEADINGS[ranking.kind]}", bold=True, align="left"),
        TableBlock(RANKING_HEADERS, rows, (14, 56, 16, 18, 14, 16, 14, 22, 18, 20)),
    ]
    if cap.exceeded:
        blocks.append(
            Paragraph(
                f"Lưu ý: {cap.excellent}/{cap.rated} đơn vị đạt mức xuất sắc theo điểm, vượt "
                f"giới hạn {_number(cap.cap_percent)}% ({cap.allowed} đơn vị); cần xem xét lại "
                "khi xếp loại.",
                italic=True,
            )
        )
    return blocks


def _overdue_blocks(tasks: list[OverdueTask], number: str, as_of: dt.date) -> list[Block]:
    heading = Paragraph(
        f"{number}. NHIỆM VỤ QUÁ HẠN (tính đến ngày {format_date(as_of)})", bold=True, align="left"
    )
    if not tasks:
        return [heading, Paragraph("Không có nhiệm vụ quá hạn.")]
    rows: list[tuple[Cell, ...]] = []
    for index, task in enumerate(tasks, start=1):
        if task.last_report_on is None:
            report = "Chưa có báo cáo"
        else:
            progress = (
                "" if task.last_report_progress is None else f" ({task.last_report_progress}%)"
            )
            note = f" {task.last_report_note}" if task.last_report_note else ""
            report = f"{format_date(task.last_report_on)}{progress}:{note}".rstrip(":")
        rows.append(
            (
                index,
                task.code,
                task.title,
                task.unit_name,
                format_date(task.deadline),
                task.days_late,
                report,
            )
        )
    return [heading, TableBlock(OVERDUE_HEADERS, rows, (10, 20, 60, 35, 22, 16, 50))]


def _explanation_blocks(
    requests: list[PendingExplanation], number: str, as_of: dt.date
) -> list[Block]:
    heading = Paragraph(
        f"{number}. YÊU CẦU GIẢI TRÌNH CHƯA TRẢ LỜI (tính đến ngày {format_date(as_of)})",
        bold=True,
        align="left",
    )
    if not requests:
        return [heading, Paragraph("Không có yêu cầu giải trình chưa trả lời.")]
    rows: list[tuple[Cell, ...]] = [
        (
            index,
            request.code,
            request.title,
            request.unit_name,
            request.requested_by,
            format_date(request.requested_on),
            format_date(request.due_date),
            "Quá hạn giải trình" if request.late else "Trong hạn giải trình",
        )
        for index, request in enumerate(requests, start=1)
    ]
    return [heading, TableBlock(EXPLANATION_HEADERS, rows, (10, 20, 55, 35, 40, 22, 22, 26))]


def _number(value: float) -> str:
    """Vietnamese decimal comma, no trailing zeros: 42,86 · 100."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def _rating_note(ctx: AppContext) -> str:
    policy = ctx.settings.evaluation
    bands = "; ".join(
        f"từ {_number(band.min_score)} điểm: {RATING_NAMES[Rating(band.rating)].lower()}"
        for band in policy.bands
    )
    return (
        "Điểm = tỷ lệ nhiệm vụ hoàn thành đúng hạn trên tổng số nhiệm vụ tính trong kỳ "
        "(thang điểm 100), trừ điểm theo quy định của cơ quan. Xếp loại (Nghị định số "
        f"335/2025/NĐ-CP): {bands}. Tỷ lệ xếp loại \u201cxuất sắc\u201d không vượt quá "
        f"{_number(policy.excellent_cap_percent)}% số được xếp loại."
    )


def cell_text(value: Cell) -> str:
    """A table cell as the documents write it (decimal comma)."""
    if value is None:
        return ""
    if isinstance(value, float):
        return _number(value)
    return str(value)


async def build_report(
    session: AsyncSession, ctx: AppContext, period: Period, unit: Unit | None = None
) -> ReportDocument:
    """The report for the city, or for one unit (its figures, its place in the ranking and
    its overdue tasks and unanswered explanation requests)."""
    evaluation = await evaluate(session, ctx, period, CITY_NAME)
    settings = ctx.settings.report
    card = evaluation.cards[unit.id] if unit is not None else evaluation.total
    scope = unit.name if unit is not None else CITY_NAME
    subtitle = f"Kết quả thực hiện nhiệm vụ {period_words(period)}"
    if unit is not None:
        subtitle += f" của {unit.name}"
    document = ReportDocument(
        issuing_body=issuing_body_lines(settings.issuing_body),
        parent_body=settings.issuing_body_parent,
        place_date=place_date(settings.place, ctx.today()),
        title=REPORT_TITLE,
        subtitle=subtitle,
        as_of_line=f"(Tính đến ngày {format_date(evaluation.as_of)})",
        evaluation=evaluation,
    )
    document.blocks += _summary_blocks(card, ROMAN[0], scope)
    document.blocks.append(
        Paragraph(f"{ROMAN[1]}. XẾP HẠNG, XẾP LOẠI ĐƠN VỊ", bold=True, align="left")
    )
    document.blocks.append(Paragraph(_rating_note(ctx), italic=True))
    for number, kind in enumerate((k for k in UnitKind if k in evaluation.rankings), start=1):
        document.blocks += _ranking_blocks(evaluation.rankings[kind], number)
    if not evaluation.rankings:
        document.blocks.append(Paragraph("Chưa có đơn vị nào đủ điều kiện xếp loại."))
    tasks = await overdue_tasks(session, ctx, period, unit.id if unit is not None else None)
    document.blocks += _overdue_blocks(tasks, ROMAN[2], evaluation.as_of)
    explanations = await pending_explanations(
        session, ctx, period, unit.id if unit is not None else None
    )
    document.blocks += _explanation_blocks(explanations, ROMAN[3], evaluation.as_of)
    return document
