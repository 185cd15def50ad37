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
            "Xem chi tiết: /nhiemvu <mã>. Quyết định gia hạn bằng nút trong tin nhắn đề nghị.",
            "Details: /tasks <code>. Decide with the buttons of the request message.",
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
        "monthly.title": (
            "KẾT QUẢ THỰC HIỆN NHIỆM VỤ {period}",
            "TASK RESULTS, {period}",
        ),
        "monthly.as_of": ("(tính đến ngày {date})", "(as of {date})"),
        "monthly.total": (
            "Nhiệm vụ tính trong kỳ: {total} (có thời hạn: {with_deadline})",
            "Tasks in the period: {total} (with a deadline: {with_deadline})",
        ),
        "monthly.status": (
            "- {name}: {n} ({all}% tổng số; {deadline}% số có thời hạn)",
            "- {name}: {n} ({all}% of all; {deadline}% of those with a deadline)",
        ),
        "monthly.done_without_deadline": (
            "  trong đó hoàn thành (nhiệm vụ không có thời hạn): {n}",
            "  of which done (tasks without a deadline): {n}",
        ),
        "monthly.score": ("Điểm chung: {score}/100", "Overall score: {score}/100"),
        "monthly.ranking.department": ("XẾP HẠNG CÁC SỞ, BAN, NGÀNH:", "DEPARTMENTS RANKED:"),
        "monthly.ranking.commune": (
            "XẾP HẠNG UBND CÁC PHƯỜNG, XÃ, ĐẶC KHU:",
            "COMMUNES RANKED:",
        ),
        "monthly.ranking.other": ("XẾP HẠNG CÁC ĐƠN VỊ KHÁC:", "OTHER UNITS RANKED:"),
        "monthly.row": (
            "{place}. {name}: {score} điểm, {rating}{change}",
            "{place}. {name}: {score}, {rating}{change}",
        ),
        "monthly.more": (
            "… và {n} đơn vị khác (xem báo cáo đính kèm)",
            "… and {n} more (see the attached report)",
        ),
        "monthly.cap": (
            "Lưu ý: {excellent}/{rated} đơn vị đạt mức xuất sắc theo điểm, vượt giới hạn "
            "{cap}% ({allowed} đơn vị).",
            "Note: {excellent}/{rated} units score excellent, over the {cap}% cap ({allowed}).",
        ),
        "monthly.report_caption": (
            "Báo cáo kết quả thực hiện nhiệm vụ {period}",
            "Task results report, {period}",
        ),
        "rating.excellent": ("xuất sắc", "excellent"),
        "rating.good": ("tốt", "good"),
        "rating.completed": ("hoàn thành", "completed"),
        "rating.not_completed": ("không hoàn thành", "not completed"),
        "digest.report_caption": (
            "Báo cáo tình hình thực hiện nhiệm vụ (Excel), ngày {date}",
            "Task status report (Excel), {date}",
        ),
    }
)
