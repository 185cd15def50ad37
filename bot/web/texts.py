"""Texts of the dashboard and the web chat page (Vietnamese first, English)."""

from bot.i18n import Catalog

TEXTS = Catalog(
    {
        "app": ("Dondoc — Theo dõi nhiệm vụ", "Dondoc — Task tracking"),
        "running": (
            "Dondoc đang chạy tại {url} (bảng điều khiển /, trò chuyện web /chat)",
            "Dondoc is running at {url} (dashboard /, web chat /chat)",
        ),
        "nav.overview": ("Tổng quan", "Overview"),
        "nav.chat": ("Trò chuyện", "Chat"),
        "nav.logout": ("Đăng xuất", "Log out"),
        "nav.export": ("Xuất Excel", "Export to Excel"),
        "who": ("{name} · {role}", "{name} · {role}"),
        "overview.title_city": ("Tổng quan tiến độ nhiệm vụ", "Task progress overview"),
        "overview.title_unit": ("Tổng quan: {unit}", "Overview: {unit}"),
        "overview.as_of": ("Số liệu tính đến ngày {date}", "Figures as of {date}"),
        "overview.total": ("Tổng số nhiệm vụ", "Tasks in total"),
        "overview.of_total": ("{pct} tổng số", "{pct} of all"),
        "overview.chart": ("Nhiệm vụ theo đơn vị và trạng thái", "Tasks by unit and status"),
        "overview.chart_more": (
            "Biểu đồ hiển thị {shown}/{total} đơn vị (ưu tiên đơn vị có nhiệm vụ quá hạn).",
            "The chart shows {shown} of {total} units (units with overdue tasks first).",
        ),
        "overview.units": ("Theo đơn vị", "By unit"),
        "overview.sort_hint": ("Bấm tiêu đề cột để sắp xếp.", "Click a column header to sort."),
        "overview.overdue": ("Nhiệm vụ quá hạn lâu nhất", "Most overdue tasks"),
        "overview.due_week": ("Đến hạn trong tuần", "Due this week"),
        "overview.silent": (
            "Đơn vị chưa báo cáo trong {days} ngày",
            "Units with no report for {days} days",
        ),
        "overview.extensions": ("Đề nghị gia hạn đang chờ", "Pending extension requests"),
        "overview.escalated": ("đã báo cáo lãnh đạo", "escalated"),
        "none": ("Không có.", "None."),
        "col.code": ("Mã", "Code"),
        "col.unit": ("Đơn vị", "Unit"),
        "col.task": ("Nhiệm vụ", "Task"),
        "col.lead_unit": ("Đơn vị chủ trì", "Lead unit"),
        "col.deadline": ("Hạn", "Deadline"),
        "col.progress": ("Tiến độ", "Progress"),
        "col.late": ("Quá hạn", "Late"),
        "col.left": ("Còn lại", "Left"),
        "col.total": ("Tổng", "Total"),
        "col.last_report": ("Báo cáo gần nhất", "Last report"),
        "col.status": ("Trạng thái", "Status"),
        "col.new_deadline": ("Đề nghị đến", "Requested date"),
        "col.requested_by": ("Người đề nghị", "Requested by"),
        "col.reason": ("Lý do", "Reason"),
        "col.decision": ("Quyết định", "Decision"),
        "extension.approve": ("Đồng ý gia hạn đến {date}", "Approve until {date}"),
        "extension.reject": ("Không đồng ý", "Reject"),
        "extension.problem_title": ("Không thực hiện được", "Not done"),
        "extension.bad_decision": (
            "Thiếu quyết định: chọn Đồng ý hoặc Không đồng ý.",
            "No decision given: choose Approve or Reject.",
        ),
        "task.pending_extension": ("Đề nghị gia hạn đang chờ", "Pending extension request"),
        "task.pending_extension_text": (
            "{who} đề nghị gia hạn từ {old} đến {new}. Lý do: {reason}",
            "{who} asks to move the deadline from {old} to {new}. Reason: {reason}",
        ),
        "col.when": ("Thời điểm", "When"),
        "col.who": ("Người báo cáo", "Reported by"),
        "col.kind": ("Loại", "Kind"),
        "col.note": ("Nội dung", "Note"),
        "col.files": ("Tệp đính kèm", "Attachments"),
        "col.old_deadline": ("Hạn cũ", "Old deadline"),
        "days_late": ("{n} ngày", "{n} days"),
        "days_left": ("{n} ngày làm việc", "{n} working days"),
        "today": ("hôm nay", "today"),
        "never": ("chưa có", "never"),
        "task.title": ("Nhiệm vụ {code}", "Task {code}"),
        "task.source": ("Văn bản nguồn", "Source document"),
        "task.assigned_by": ("Người giao", "Assigned by"),
        "task.coordinating": ("Đơn vị phối hợp", "Coordinating units"),
        "task.original_deadline": ("Hạn ban đầu", "Original deadline"),
        "task.output": ("Sản phẩm", "Expected output"),
        "task.priority": ("Mức ưu tiên", "Priority"),
        "task.completed": ("Ngày hoàn thành", "Completed on"),
        "task.description": ("Mô tả", "Description"),
        "task.deadline_history": ("Lịch sử thay đổi hạn", "Deadline history"),
        "task.reports": ("Báo cáo tiến độ", "Progress reports"),
        "task.no_reports": ("Chưa có báo cáo nào.", "No reports yet."),
        "task.no_deadline_changes": ("Hạn chưa thay đổi.", "The deadline has not changed."),
        "kind.progress": ("Cập nhật tiến độ", "Progress"),
        "kind.done": ("Hoàn thành", "Done"),
        "kind.note": ("Ghi chú", "Note"),
        "unit.title": ("Đơn vị: {name}", "Unit: {name}"),
        "unit.tasks": ("Nhiệm vụ của đơn vị ({n})", "The unit's tasks ({n})"),
        "unit.reports": ("Lịch sử báo cáo gần đây", "Recent reports"),
        "login.title": ("Đăng nhập", "Log in"),
        "login.how": (
            "Để xem bảng điều khiển, hãy gửi lệnh /dangnhap cho Dondoc (trên Telegram, Zalo "
            "hoặc trò chuyện web). Bot sẽ gửi cho bạn một đường dẫn đăng nhập dùng một lần, "
            "có hiệu lực trong {minutes} phút.",
            "To see the dashboard, send /login to Dondoc (on Telegram, Zalo or the web chat). "
            "The bot sends you a one-time login link, valid for {minutes} minutes.",
        ),
        "login.scope": (
            "Lãnh đạo UBND và Văn phòng UBND xem toàn bộ; thủ trưởng và chuyên viên xem "
            "nhiệm vụ của đơn vị mình.",
            "Leaders and the secretariat see everything; unit heads and staff see their unit.",
        ),
        "login.chat_link": ("Mở trò chuyện web", "Open the web chat"),
        "login.confirm_title": ("Đăng nhập vào Dondoc", "Log in to Dondoc"),
        "login.confirm_text": (
            "Bấm nút dưới đây để đăng nhập. Đường dẫn này chỉ dùng được một lần.",
            "Press the button below to log in. This link works only once.",
        ),
        "login.button": ("Đăng nhập", "Log in"),
        "login.used": (
            "Đường dẫn đăng nhập này đã được sử dụng. Gửi /dangnhap để nhận đường dẫn mới.",
            "This login link has already been used. Send /login for a new one.",
        ),
        "login.expired": (
            "Đường dẫn đăng nhập này đã hết hạn. Gửi /dangnhap để nhận đường dẫn mới.",
            "This login link has expired. Send /login for a new one.",
        ),
        "login.unknown": (
            "Đường dẫn đăng nhập không hợp lệ. Gửi /dangnhap để nhận đường dẫn mới.",
            "This login link is not valid. Send /login for a new one.",
        ),
        "demo.title": ("Chế độ trình diễn", "Demo mode"),
        "demo.login_text": (
            "Dữ liệu mẫu Hải Phòng đang chạy trên máy này. Chọn một cán bộ để xem bảng điều "
            "khiển với quyền của người đó.",
            "The Hải Phòng demo data runs on this machine. Choose an official to see the "
            "dashboard as they would.",
        ),
        "demo.chat_text": ("Trò chuyện với tư cách:", "Chat as:"),
        "demo.choose": ("Chọn", "Choose"),
        "demo.unknown": ("Không tìm thấy cán bộ đã chọn.", "The chosen official was not found."),
        "error.forbidden_title": ("Không có quyền truy cập", "Access denied"),
        "error.forbidden": (
            "Bạn không có quyền xem trang này: thủ trưởng và chuyên viên chỉ xem được nhiệm vụ "
            "của đơn vị mình.",
            "You may not see this page: unit heads and staff see only their own unit's tasks.",
        ),
        "error.not_found_title": ("Không tìm thấy", "Not found"),
        "error.not_found": ("Không tìm thấy {what}.", "{what} was not found."),
        "error.csrf_title": ("Yêu cầu không hợp lệ", "Invalid request"),
        "error.csrf": (
            "Biểu mẫu đã cũ hoặc không hợp lệ. Vui lòng tải lại trang và thử lại.",
            "The form is out of date or invalid. Please reload the page and try again.",
        ),
        "error.back": ("Về trang tổng quan", "Back to the overview"),
        "chat.title": ("Trò chuyện với Dondoc", "Chat with Dondoc"),
        "chat.placeholder": (
            "Nhập tin nhắn hoặc lệnh, ví dụ /trogiup",
            "Type a message or a command, e.g. /help",
        ),
        "chat.send": ("Gửi", "Send"),
        "chat.connecting": ("Đang kết nối…", "Connecting…"),
        "chat.connected": ("Đã kết nối", "Connected"),
        "chat.offline": ("Mất kết nối, đang thử lại…", "Disconnected, retrying…"),
        "chat.linked": ("Bạn đang trò chuyện với tư cách {name}.", "You are chatting as {name}."),
        "chat.unlinked": (
            "Trình duyệt này chưa liên kết với cán bộ nào: gửi /start <mã mời> do Văn phòng "
            "UBND cấp.",
            "This browser is not linked to an official yet: send /start <invite code>.",
        ),
        "chat.dashboard": ("Bảng điều khiển", "Dashboard"),
        "chat.link_first": (
            "Trình duyệt này chưa được liên kết với tài khoản của đồng chí nên tin nhắn không "
            "được lưu. Đồng chí hãy liên kết trước bằng mã mời do quản trị viên cấp: gửi "
            "/start <mã mời>. Gõ /trogiup để xem hướng dẫn.",
            "This browser is not linked to your account yet, so the message was not kept. "
            "Please link it first with the invite code your administrator gave you: send "
            "/start <code>. Type /help for help.",
        ),
        "chat.rate_limited": (
            "Đồng chí đã gửi quá nhiều tin nhắn trong một phút (tối đa {limit} tin khi chưa "
            "liên kết tài khoản). Tin nhắn này không được lưu; xin đồng chí chờ một phút rồi "
            "gửi lại.",
            "Too many messages in one minute (at most {limit} before the account is linked). "
            "This message was not kept; please wait a minute and send it again.",
        ),
        "chat.too_long": (
            "Tin nhắn quá dài: khi chưa liên kết tài khoản, mỗi tin nhắn tối đa {limit} ký tự. "
            "Tin nhắn này không được lưu. Đồng chí hãy gửi /start <mã mời> để liên kết trước.",
            "Message too long: before the account is linked, a message may have at most "
            "{limit} characters. This message was not kept. Please send /start <code> first.",
        ),
        "chat.attach": ("Đính kèm tệp", "Attach a file"),
        "chat.file_too_big": (
            "Tệp quá lớn (tối đa {mb} MB).",
            "The file is too big (max {mb} MB).",
        ),
    }
)
