"""Texts of the conversation (Vietnamese with full diacritics, and English)."""

from bot.i18n import Catalog

TEXTS = Catalog(
    {
        "unregistered": (
            "Xin chào! Tài khoản này chưa được liên kết với cán bộ nào.\n"
            "Hãy gửi /start <mã mời> với mã do Văn phòng UBND cấp. Gõ /trogiup để xem hướng dẫn.",
            "Hello! This account is not linked to any official yet.\n"
            "Send /start <invite code> with the code you were given. Type /help for help.",
        ),
        "revoked": (
            "Tài khoản của đồng chí đã bị thu hồi quyền truy cập: bot không nhận báo cáo, "
            "không gửi nhắc việc và không mở bảng điều khiển cho tài khoản này nữa. "
            "Nếu có nhầm lẫn, đồng chí vui lòng liên hệ Văn phòng UBND.",
            "Your access has been revoked: this account can no longer report, receive "
            "reminders or open the dashboard. If this is a mistake, please contact the office.",
        ),
        "denied": (
            "Xin lỗi, bạn không có quyền dùng lệnh này.",
            "Sorry, you are not allowed to use this command.",
        ),
        "private_only": (
            "Lệnh /{command} chỉ dùng trong trò chuyện riêng với bot.",
            "The /{command} command works only in a private chat with the bot.",
        ),
        "group_only": (
            "Lệnh /{command} chỉ dùng trong nhóm.",
            "The /{command} command works only in a group.",
        ),
        "stale_button": (
            "Nút này đã cũ hoặc không còn hiệu lực. Vui lòng bắt đầu lại.",
            "This button is out of date. Please start again.",
        ),
        "text_too_long": (
            "Tin nhắn quá dài (tối đa {limit} ký tự). Vui lòng rút gọn.",
            "The message is too long (at most {limit} characters). Please shorten it.",
        ),
        "unknown_input": (
            "Tôi chưa hiểu tin nhắn này. Để báo cáo nhanh, gửi mã nhiệm vụ, tiến độ và nội dung, "
            "ví dụ: NV-01 60% Đã trình dự thảo. Gõ /trogiup để xem các lệnh.",
            "I did not understand that. For a quick report send the task code, progress and a "
            "note, e.g. NV-01 60% Draft submitted. Type /help to see the commands.",
        ),
        "internal_error": (
            "Xin lỗi, đã có lỗi khi xử lý tin nhắn. Vui lòng thử lại hoặc báo Văn phòng UBND.",
            "Sorry, something went wrong. Please try again or contact the secretariat.",
        ),
        "start.already": (
            "Tài khoản này đã được liên kết với {name}. Gõ /trogiup để xem các lệnh.",
            "This account is already linked to {name}. Type /help to see the commands.",
        ),
        "start.linked": (
            "Đã liên kết tài khoản với {name} ({role}). Gõ /trogiup để xem các lệnh.",
            "Linked this account to {name} ({role}). Type /help to see the commands.",
        ),
        "start.group_bound": (
            "Nhóm này đã được gắn với đơn vị {unit}: nhắc việc của đơn vị sẽ gửi vào đây.",
            "This group is now bound to {unit}: the unit's reminders will come here.",
        ),
        "start.wrong_chat.private": (
            "Mã mời này dành cho một cán bộ: hãy gửi /start <mã mời> trong trò chuyện riêng với "
            "bot, không gửi trong nhóm. Mã vẫn còn hiệu lực.",
            "This invite code is for a person: send /start <code> in a private chat with the bot, "
            "not in a group. The code is still valid.",
        ),
        "start.wrong_chat.group": (
            "Mã mời này dùng để gắn nhóm với đơn vị: hãy thêm bot vào nhóm của đơn vị rồi gửi "
            "/start <mã mời> trong nhóm đó. Mã vẫn còn hiệu lực.",
            "This invite code binds a group to a unit: add the bot to the unit's group and send "
            "/start <code> there. The code is still valid.",
        ),
        "help.title": ("Các lệnh bạn có thể dùng:", "Commands you can use:"),
        "help.register": (
            "Để bắt đầu, gửi /start <mã mời> do Văn phòng UBND cấp.",
            "To begin, send /start <invite code> from the secretariat.",
        ),
        "help.start": ("/start <mã mời> — liên kết tài khoản", "/start <code> — link your account"),
        "help.help": ("/trogiup — hướng dẫn", "/help — this help"),
        "help.cancel": ("/huy — thoát thao tác đang làm", "/cancel — leave the current step"),
        "cancel.done": ("Đã hủy thao tác.", "Cancelled."),
        "cancel.nothing": ("Không có thao tác nào đang dở.", "Nothing to cancel."),
        "list.more": ("… và {n} nhiệm vụ khác", "… and {n} more tasks"),
        # Help lines: each starts with the command people type in that language (setMyCommands
        # takes its menu from them, see handlers.commands.menu).
        "help.tasks": (
            "/nhiemvu — nhiệm vụ đang thực hiện của đơn vị; /nhiemvu <mã> — chi tiết một nhiệm vụ",
            "/tasks — your unit's open tasks; /tasks <code> — one task in full",
        ),
        "help.report": (
            "/baocao — báo cáo tiến độ (từng bước, hoặc /baocao NV-01 60 nội dung)",
            "/report — report progress (step by step, or /report NV-01 60 note)",
        ),
        "help.done": (
            "/xong — báo hoàn thành nhiệm vụ: /xong <mã> [ghi chú]",
            "/done — mark a task completed: /done <code> [note]",
        ),
        "help.extend": (
            "/giahan — đề nghị gia hạn: /giahan <mã> <dd/mm/yyyy> <lý do>",
            "/extend — ask for an extension: /extend <code> <dd/mm/yyyy> <reason>",
        ),
        "help.decide": (
            "/duyet — các đề nghị gia hạn đang chờ, để đồng ý hoặc không đồng ý "
            "(hoặc gõ /giahan không kèm nội dung)",
            "/approvals — pending extension requests, to approve or reject "
            "(or type /extend on its own)",
        ),
        "help.digest": (
            "/tonghop — tổng hợp tình hình thực hiện nhiệm vụ",
            "/digest — the task status digest now",
        ),
        "help.overdue": (
            "/quahan — nhiệm vụ quá hạn theo đơn vị",
            "/overdue — overdue tasks by unit",
        ),
        "help.unit": (
            "/donvi — nhiệm vụ của một đơn vị: /donvi <mã đơn vị>",
            "/unit — one unit's tasks: /unit <unit code>",
        ),
        "help.login": (
            "/dangnhap — nhận đường dẫn đăng nhập bảng điều khiển",
            "/login — get a login link for the dashboard",
        ),
        "help.channel": (
            "/kenh — chọn kênh nhận nhắc việc (Telegram, Zalo…), liên kết thêm kênh",
            "/channel — choose where reminders go (Telegram, Zalo…), link another channel",
        ),
        # Buttons.
        "button.skip": ("Bỏ qua", "Skip"),
        "button.confirm": ("Xác nhận", "Confirm"),
        "button.cancel": ("Hủy", "Cancel"),
        "button.approve": ("Đồng ý gia hạn", "Approve"),
        "button.approve_until": ("Đồng ý gia hạn đến {date}", "Approve until {date}"),
        "button.reject": ("Không đồng ý", "Reject"),
        # What people typed and we could not read.
        "parse.percent_invalid": (
            "Tiến độ phải là một số nguyên từ 0 đến 100, ví dụ 60 hoặc 60% (bạn nhập “{text}”).",
            "Progress must be a whole number from 0 to 100, e.g. 60 or 60% (you typed “{text}”).",
        ),
        "parse.percent_range": (
            "Tiến độ phải từ 0 đến 100% (bạn nhập {value}).",
            "Progress must be between 0 and 100% (you entered {value}).",
        ),
        "parse.date_format": (
            "Không đọc được ngày “{text}”. Hãy viết theo dạng ngày/tháng/năm, ví dụ 31/12/2025.",
            "Could not read the date “{text}”. Please write it as dd/mm/yyyy, e.g. 31/12/2025.",
        ),
        "parse.date_impossible": (
            "Ngày {text} không tồn tại. Vui lòng kiểm tra lại ngày và tháng.",
            "The date {text} does not exist. Please check the day and month.",
        ),
        # Task lists and task details.
        "task.line": (
            "• {code}{unit} {title}{marker} — {when} — {progress}% ({last})",
            "• {code}{unit} {title}{marker} — {when} — {progress}% ({last})",
        ),
        "task.deadline": ("hạn {date}, {timing}", "due {date}, {timing}"),
        "task.last_report": ("báo cáo gần nhất {date}", "last report {date}"),
        "task.never_reported": ("chưa có báo cáo", "no report yet"),
        "tasks.no_unit": (
            "Tài khoản của bạn chưa gắn với đơn vị nào. Vui lòng liên hệ Văn phòng UBND.",
            "Your account is not attached to any unit. Please contact the secretariat.",
        ),
        "tasks.none": (
            "{unit} không có nhiệm vụ nào đang thực hiện.",
            "{unit} has no open tasks.",
        ),
        "tasks.header": (
            "Nhiệm vụ đang thực hiện của {unit} ({n}), quá hạn trước:",
            "Open tasks of {unit} ({n}), overdue first:",
        ),
        "tasks.coordinating": ("(phối hợp)", "(coordinating)"),
        "tasks.footer": (
            "Xem chi tiết: /nhiemvu <mã>. Báo cáo: /baocao.",
            "Details: /tasks <code>. Report: /report.",
        ),
        "tasks.city_none": (
            "Toàn thành phố không có nhiệm vụ nào đang thực hiện.",
            "There are no open tasks city-wide.",
        ),
        "tasks.city_header": (
            "{n} nhiệm vụ cần chú ý nhất toàn thành phố (quá hạn trước):",
            "The {n} most pressing open tasks city-wide (overdue first):",
        ),
        "tasks.city_footer": (
            "Xem thêm: /quahan (quá hạn theo đơn vị), /donvi <mã> (một đơn vị), "
            "/tonghop (tổng hợp), /nhiemvu <mã> (chi tiết).",
            "More: /overdue (overdue by unit), /unit <code> (one unit), /digest (digest), "
            "/tasks <code> (details).",
        ),
        "detail.source": ("Văn bản: {source}", "Source document: {source}"),
        "detail.lead": ("Đơn vị chủ trì: {unit}", "Lead unit: {unit}"),
        "detail.coordinating": ("Đơn vị phối hợp: {units}", "Coordinating units: {units}"),
        "detail.output": ("Sản phẩm: {output}", "Expected output: {output}"),
        "detail.deadline": ("Thời hạn: {date}", "Deadline: {date}"),
        "detail.deadline_change": (
            "Gia hạn ngày {on}: {old} → {new} (lý do: {reason})",
            "Extended on {on}: {old} → {new} (reason: {reason})",
        ),
        "detail.pending_extension": (
            "Đang chờ lãnh đạo quyết định đề nghị gia hạn đến {date} (lý do: {reason})",
            "Extension to {date} awaiting a leader's decision (reason: {reason})",
        ),
        "detail.status": ("Tình trạng: {status} — {timing}", "Status: {status} — {timing}"),
        "detail.progress": ("Tiến độ: {progress}%", "Progress: {progress}%"),
        "detail.completed": ("Ngày hoàn thành: {date}", "Completed on: {date}"),
        "detail.no_reports": ("Chưa có báo cáo nào.", "No reports yet."),
        "detail.history": ("Lịch sử báo cáo ({n}):", "Report history ({n}):"),
        "history.note": ("ghi chú", "note"),
        "history.file": ("[tệp: {name}]", "[file: {name}]"),
        "file.photo": ("ảnh", "photo"),
        "file.unnamed": ("tệp đính kèm", "attachment"),
        # Reporting.
        "report.leader_reads_only": (
            "Lãnh đạo UBND theo dõi và chỉ đạo, không báo cáo tiến độ nhiệm vụ. "
            "Dùng /tonghop, /quahan hoặc /nhiemvu <mã> để xem tình hình.",
            "Leaders follow and direct tasks but do not report progress. "
            "Use /digest, /overdue or /tasks <code> to see where things stand.",
        ),
        "report.need_percent": (
            "Hãy ghi tiến độ sau mã nhiệm vụ, ví dụ: /baocao {code} 60 Đã trình dự thảo.",
            "Please give the progress after the task code, e.g. /report {code} 60 Draft sent.",
        ),
        "report.pending_not_saved": (
            "Lưu ý: báo cáo đang chờ xác nhận dưới đây chưa được lưu; đồng chí gửi lại khi cần.",
            "Note: the report below, awaiting confirmation, was not saved; send it again if "
            "needed.",
        ),
        "report.unfinished_not_saved": (
            "Lưu ý: báo cáo nhiệm vụ {code} đang làm dở chưa được lưu.",
            "Note: the unfinished report on {code} was not saved.",
        ),
        "report.cancelled": (
            "Đã hủy, báo cáo không được lưu.",
            "Cancelled; nothing was saved.",
        ),
        "report.file_hint": (
            "Đã nhận tệp nhưng chưa biết thuộc nhiệm vụ nào. Hãy gửi lại tệp kèm chú thích "
            "“/baocao <mã> <tiến độ> <nội dung>”, hoặc gõ /baocao rồi gửi tệp ở bước đính kèm.",
            "File received, but for which task? Send it again with the caption "
            "“/report <code> <progress> <note>”, or type /report and send it at the file step.",
        ),
        "report.no_open_tasks": (
            "Đơn vị của bạn không có nhiệm vụ nào đang thực hiện.",
            "Your unit has no open tasks.",
        ),
        "report.already_done": (
            "Nhiệm vụ {code} đã hoàn thành; không cần báo cáo tiến độ nữa.",
            "Task {code} is already completed; no more progress reports are needed.",
        ),
        "report.duplicate": (
            "Báo cáo này của nhiệm vụ {code} đã được lưu trước đó.",
            "This report for task {code} was already saved.",
        ),
        "report.saved": ("Đã lưu báo cáo.", "Report saved."),
        "summary.task": ("Nhiệm vụ: {code} — {title}", "Task: {code} — {title}"),
        "summary.progress": ("Tiến độ: {old}% → {new}%", "Progress: {old}% → {new}%"),
        "summary.note_only": (
            "Ý kiến của đơn vị phối hợp (không thay đổi tiến độ)",
            "Note from a coordinating unit (progress unchanged)",
        ),
        "summary.note": ("Nội dung: {note}", "Note: {note}"),
        "summary.file": ("Tệp đính kèm: {name}", "Attachment: {name}"),
        "summary.status": ("Tình trạng: {status} — {timing}", "Status: {status} — {timing}"),
        "flow.type_code": (
            "Gõ mã nhiệm vụ cần báo cáo (ví dụ NV-01). Gõ /huy để thoát.",
            "Type the code of the task to report on (e.g. NV-01). Type /cancel to stop.",
        ),
        "flow.pick_task": (
            "Chọn nhiệm vụ cần báo cáo (hoặc gõ mã nhiệm vụ). Gõ /huy để thoát.",
            "Choose the task to report on (or type its code). Type /cancel to stop.",
        ),
        "flow.pick_more": (
            "Còn {n} nhiệm vụ khác: gõ mã nhiệm vụ nếu không thấy trong danh sách.",
            "{n} more tasks: type the code if yours is not listed.",
        ),
        "flow.task_expected": (
            "Hãy chọn một nhiệm vụ trong danh sách hoặc gõ mã nhiệm vụ.",
            "Please choose a task from the list or type its code.",
        ),
        "flow.task_head": (
            "Nhiệm vụ {code} — {title} (tiến độ hiện tại {progress}%).",
            "Task {code} — {title} (currently {progress}%).",
        ),
        "flow.progress": (
            "Chọn tiến độ mới, hoặc gõ một số từ 0 đến 100:",
            "Choose the new progress, or type a number from 0 to 100:",
        ),
        "flow.progress_typed": (
            "Gõ tiến độ mới bằng một số từ 0 đến 100 (ví dụ 60). Gõ huy để thoát.",
            "Type the new progress as a number from 0 to 100 (e.g. 60). Type cancel to stop.",
        ),
        "flow.note": (
            "Tiến độ {progress}%. Gõ nội dung báo cáo (kết quả, khó khăn), hoặc bấm Bỏ qua:",
            "Progress {progress}%. Type a note (results, obstacles), or press Skip:",
        ),
        "flow.note_coordinating": (
            "Đơn vị bạn phối hợp thực hiện nhiệm vụ này: gõ nội dung ý kiến/kết quả phối hợp "
            "(hoặc gửi tệp).",
            "Your unit coordinates this task: type your note (or send a file).",
        ),
        "flow.file": (
            "Gửi tệp sản phẩm (tờ trình, kế hoạch, báo cáo…) nếu có, hoặc bấm Bỏ qua:",
            "Send the output document (submission, plan, report…) if any, or press Skip:",
        ),
        "flow.file_again": (
            "Bước này chờ một tệp đính kèm. Gửi tệp, hoặc bấm Bỏ qua:",
            "This step expects a file. Send one, or press Skip:",
        ),
        "flow.confirm_title": ("Xác nhận báo cáo:", "Please confirm this report:"),
        "flow.confirm_still_pending": (
            "Báo cáo dưới đây vẫn chờ đồng chí xác nhận, nên tin nhắn vừa gửi chưa được dùng. "
            "Chọn Xác nhận để lưu hoặc Hủy để bỏ; đồng chí vẫn có thể gõ lệnh khác.",
            "The report below still waits for your confirmation, so your last message was not "
            "used. Choose Confirm to save it or Cancel to drop it; you can still type a command.",
        ),
        # Completion.
        "done.usage": (
            "Cách dùng: /xong <mã nhiệm vụ> [ghi chú], ví dụ /xong NV-01 Đã ban hành kế hoạch.",
            "Usage: /done <task code> [note], e.g. /done NV-01 Plan issued.",
        ),
        "done.already": (
            "Nhiệm vụ {code} đã được báo hoàn thành ngày {date}.",
            "Task {code} was already completed on {date}.",
        ),
        "done.on_time": (
            "Hoàn thành đúng hạn (hạn {deadline}). Cảm ơn đồng chí!",
            "Completed on time (deadline {deadline}). Thank you!",
        ),
        "done.late": (
            "Hoàn thành quá hạn (hạn {deadline}).",
            "Completed late (deadline {deadline}).",
        ),
        "done.no_deadline": ("Đã hoàn thành (nhiệm vụ không có hạn).", "Completed (no deadline)."),
        # Extensions.
        "extend.usage": (
            "Cách dùng: /giahan <mã nhiệm vụ> <ngày mới dd/mm/yyyy> <lý do>, "
            "ví dụ /giahan NV-01 31/12/2025 Chờ ý kiến thẩm định.",
            "Usage: /extend <task code> <new date dd/mm/yyyy> <reason>, "
            "e.g. /extend NV-01 31/12/2025 Waiting for the appraisal.",
        ),
        "extend.need_reason": (
            "Vui lòng ghi lý do đề nghị gia hạn sau ngày mới.",
            "Please give the reason for the extension after the new date.",
        ),
        "extend.sent": (
            "Đã gửi đề nghị gia hạn nhiệm vụ {code}: {old} → {new}. "
            "Đồng chí sẽ nhận thông báo khi lãnh đạo quyết định.",
            "Extension request for {code} sent: {old} → {new}. "
            "You will be told when a leader decides.",
        ),
        "extend.nobody_linked": (
            "Lưu ý: chưa có lãnh đạo nào kết nối với bot; lãnh đạo sẽ thấy đề nghị khi gõ "
            "/giahan trong trò chuyện hoặc trên bảng điều khiển.",
            "Note: no leader has linked a chat yet; leaders will find the request by typing "
            "/extend in chat or on the dashboard.",
        ),
        "extend.leader_decides": (
            "Lãnh đạo quyết định các đề nghị gia hạn, không gửi đề nghị. Gõ /giahan (không kèm "
            "nội dung) để xem các đề nghị đang chờ.",
            "Leaders decide extension requests rather than send them. Type /extend on its own "
            "to see the pending requests.",
        ),
        "extend.none_pending": (
            "Không có đề nghị gia hạn nào đang chờ quyết định.",
            "No extension request is awaiting a decision.",
        ),
        "extend.pending_header": (
            "ĐỀ NGHỊ GIA HẠN ĐANG CHỜ QUYẾT ĐỊNH ({n}), cũ nhất trước:",
            "EXTENSION REQUESTS AWAITING A DECISION ({n}), oldest first:",
        ),
        "extend.pending_more": (
            "… và {n} đề nghị khác: quyết định các đề nghị trên rồi gõ /giahan để xem tiếp, "
            "hoặc xem trên bảng điều khiển.",
            "… and {n} more: decide the ones above, then type /extend again, or use the dashboard.",
        ),
        "extend.notice": (
            "ĐỀ NGHỊ GIA HẠN\n{code} — {title}\nĐơn vị chủ trì: {unit}\nNgười đề nghị: {who}\n"
            "Thời hạn: {old} → {new}\nLý do: {reason}",
            "EXTENSION REQUEST\n{code} — {title}\nLead unit: {unit}\nRequested by: {who}\n"
            "Deadline: {old} → {new}\nReason: {reason}",
        ),
        # Leaders and unit heads.
        "scope.city": ("Toàn thành phố", "City-wide"),
        "overdue.none": ("Không có nhiệm vụ nào quá hạn.", "No task is overdue."),
        "overdue.header": (
            "NHIỆM VỤ QUÁ HẠN (đến ngày {date}):",
            "OVERDUE TASKS (as of {date}):",
        ),
        "overdue.unit": ("{unit} ({code}) — {n} nhiệm vụ:", "{unit} ({code}) — {n} tasks:"),
        "overdue.more": (
            "… chỉ hiện {limit} nhiệm vụ quá hạn lâu nhất; xem thêm bằng /donvi <mã>.",
            "… only the {limit} longest overdue are shown; see more with /unit <code>.",
        ),
        "unit.denied": (
            "Xin lỗi, đồng chí chỉ xem được nhiệm vụ của đơn vị mình, không xem được {unit}.",
            "Sorry, you can see your own unit's tasks only, not those of {unit}.",
        ),
        "unit.header": ("{unit} ({code})", "{unit} ({code})"),
        "unit.open": ("Nhiệm vụ đang thực hiện ({n}):", "Open tasks ({n}):"),
        "unit.no_open": ("Không có nhiệm vụ nào đang thực hiện.", "No open tasks."),
        "unit.usage": (
            "Cách dùng: /donvi <mã đơn vị>. Các đơn vị:",
            "Usage: /unit <unit code>. Units:",
        ),
    }
)
