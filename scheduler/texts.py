"""Texts of reminders and scheduler notices (Vietnamese with diacritics, and English)."""

from bot.i18n import Catalog

TEXTS = Catalog(
    {
        "reminder.title": ("NHẮC VIỆC ngày {date}", "TASK REMINDER, {date}"),
        "reminder.title_unit": ("NHẮC VIỆC ngày {date}: {unit}", "TASK REMINDER, {date}: {unit}"),
        "reminder.late": (
            "(Gửi muộn: hệ thống tạm ngừng lúc {time}.)",
            "(Sent late: the system was down at {time}.)",
        ),
        "group.overdue": ("QUÁ HẠN ({n}):", "OVERDUE ({n}):"),
        "group.due_today": ("ĐẾN HẠN HÔM NAY ({n}):", "DUE TODAY ({n}):"),
        "group.upcoming": ("SẮP ĐẾN HẠN ({n}):", "DUE SOON ({n}):"),
        "group.stale": ("CHƯA BÁO CÁO ({n}):", "NO RECENT REPORT ({n}):"),
        "group.extension": (
            "ĐỀ NGHỊ GIA HẠN CHỜ QUYẾT ĐỊNH ({n}):",
            "EXTENSION REQUESTS AWAITING YOUR DECISION ({n}):",
        ),
        "item.deadline": ("hạn {date}", "due {date}"),
        "item.progress": ("tiến độ {n}%", "progress {n}%"),
        "item.last_report": ("báo cáo gần nhất {date}", "last report {date}"),
        "item.never_reported": ("chưa có báo cáo", "never reported"),
        "item.silent": ("{n} ngày chưa báo cáo", "no report for {n} days"),
        "item.coordinating": ("đơn vị phối hợp", "coordinating unit"),
        "item.escalated": (
            "đã báo cáo lãnh đạo UBND (quá hạn {n} ngày làm việc)",
            "escalated to the city leaders ({n} working days late)",
        ),
        "item.extension": (
            "{unit} đề nghị gia hạn đến {new} (hạn hiện tại {old}), gửi ngày {on}: {reason}",
            "{unit} asks to move the deadline to {new} (now {old}), asked on {on}: {reason}",
        ),
        "reminder.hint": (
            "Báo cáo: bấm nút bên dưới hoặc gửi /baocao <mã> <tiến độ %> <ghi chú>.",
            "To report: press a button below or send /report <code> <progress %> <note>.",
        ),
        "reminder.hint_plain": (
            "Báo cáo: gửi baocao <mã> <tiến độ> <ghi chú>, ví dụ: baocao {code} 50 Đã gửi dự thảo.",
            "To report: send report <code> <progress> <note>, e.g. report {code} 50 Draft sent.",
        ),
        "reminder.hint_leader": (
            "Xem chi tiết: /nhiemvu <mã>. Quyết định gia hạn: gõ /giahan để xem các đề nghị "
            "đang chờ và chọn Đồng ý hoặc Không đồng ý.",
            "Details: /tasks <code>. To decide extensions, type /extend to list the pending "
            "requests and choose Approve or Reject.",
        ),
        "button.report": ("Báo cáo {code}", "Report {code}"),
        "notice.blocked": (
            "Không gửi được tin nhắn tới {who} qua {channel} (chat {chat}): người nhận đã chặn bot "
            "hoặc rời nhóm. Tài khoản này đã được tạm ngừng; cần liên kết lại bằng mã mời mới.",
            "Could not deliver to {who} on {channel} (chat {chat}): the bot was blocked or "
            "removed. The account is now inactive; link it again with a new invite code.",
        ),
        "digest.scope_city": ("Toàn thành phố", "City-wide"),
        "digest.chart_caption": (
            "Biểu đồ tình hình thực hiện nhiệm vụ theo đơn vị, tuần {week}",
            "Task status by unit, week {week}",
        ),
        "digest.report_caption": (
            "Báo cáo tình hình thực hiện nhiệm vụ (Excel), ngày {date}",
            "Task status report (Excel), {date}",
        ),
    }
)
