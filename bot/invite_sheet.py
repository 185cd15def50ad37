"""The invite sheet of a city's onboarding: one row per official without a linked chat, with
the invite code, its expiry, the Telegram deep link and a QR code of that link to scan from
the printed page. Same heading block and print layout as every other workbook."""

from __future__ import annotations

import io
from collections.abc import Sequence

import segno
from openpyxl import Workbook
from openpyxl.drawing.image import Image
from openpyxl.utils import get_column_letter

from bot.context import AppContext
from bot.evaluation.report import issuing_body_lines, place_date
from bot.i18n import format_date, format_datetime
from bot.services.invites import IssuedInvite, telegram_link
from bot.workbook_layout import HeadingBlock, lay_out_table, write_heading

TITLE = "DANH SÁCH MÃ MỜI LIÊN KẾT TÀI KHOẢN DONDOC"
SHEET = "Mã mời"
HEADERS = (
    "STT",
    "Mã cán bộ",
    "Họ và tên",
    "Chức vụ",
    "Đơn vị",
    "Mã mời",
    "Hết hạn",
    "Liên kết Telegram",
    "Mã QR",
)
WIDTHS = (6, 14, 26, 22, 30, 14, 17, 40, 16)
QR_COLUMN = len(HEADERS)
QR_SCALE = 3
"""Pixels per QR module: a link of this length (version 3 or 4) is about 100 px, which
prints at about 2.5 cm, large enough for a phone camera."""
QR_BORDER = 2
QR_MASK = 0
"""A fixed data mask. Every mask is valid and every reader decodes all eight; letting segno
score the eight for each code costs 20 ms a code in pure Python (40 s for a city of 2,000)
for no gain on short links."""
PIXELS_TO_POINTS = 0.75


def qr_png(link: str) -> bytes:
    """The QR code of ``link`` as a PNG (error correction M, a two-module quiet zone)."""
    buffer = io.BytesIO()
    segno.make(link, error="m", micro=False, mask=QR_MASK).save(
        buffer, kind="png", scale=QR_SCALE, border=QR_BORDER
    )
    return buffer.getvalue()


def build_invite_workbook(
    ctx: AppContext, issued: Sequence[IssuedInvite], bot_username: str | None
) -> bytes:
    """The invite sheet as .xlsx bytes. Without a bot username there is no deep link, so the
    link and QR cells stay empty (officials then send ``/start <code>`` themselves)."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = SHEET
    today = ctx.today()
    block = HeadingBlock(
        issuing_body=issuing_body_lines(ctx.settings.report.issuing_body),
        place_date=place_date(ctx.settings.report.place, today),
        title=(TITLE,),
        as_of_line=f"(Lập ngày {format_date(today)}; mỗi mã dùng một lần)",
    )
    header_row = write_heading(sheet, block, len(HEADERS))
    sheet.append(list(HEADERS))
    qr_letter = get_column_letter(QR_COLUMN)
    for number, item in enumerate(issued, start=1):
        official = item.official
        link = telegram_link(bot_username, item.code) if bot_username else None
        unit = official.unit.name if official.unit is not None else ""
        sheet.append(
            [
                number,
                official.code,
                official.full_name,
                official.title,
                unit,
                item.code,
                format_datetime(item.expires_at, ctx.tz),
                link,
            ]
        )
        row = header_row + number
        if link is None:
            continue
        image = Image(io.BytesIO(qr_png(link)))
        sheet.add_image(image, f"{qr_letter}{row}")
        sheet.row_dimensions[row].height = image.height * PIXELS_TO_POINTS + 4
    lay_out_table(sheet, header_row, WIDTHS, last_row=header_row + len(issued))
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
