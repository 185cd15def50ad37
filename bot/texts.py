"""Texts of the domain layer: status names, roles and every domain error."""

from bot.i18n import Catalog

TEXTS = Catalog(
    {
        # The four official categories and the two warnings.
        "status.done_on_time": ("Hoàn thành đúng hạn", "Done on time"),
        "status.done_late": ("Hoàn thành quá hạn", "Done late"),
        "status.in_progress": ("Đang thực hiện trong hạn", "In progress"),
        "status.overdue": ("Quá hạn", "Overdue"),
        "warning.due_soon": ("Sắp đến hạn", "Due soon"),
        "warning.no_report": ("Chưa báo cáo", "No recent report"),
        "role.staff": ("Chuyên viên", "Staff official"),
        "role.head": ("Thủ trưởng đơn vị", "Unit head"),
        "role.leader": ("Lãnh đạo UBND", "Leader"),
        "role.admin": ("Quản trị (Văn phòng UBND)", "Administrator"),
        "priority.normal": ("Bình thường", "Normal"),
        "priority.high": ("Cao", "High"),
        "priority.urgent": ("Khẩn", "Urgent"),
        "days_left": ("còn {n} ngày làm việc", "{n} working days left"),
        "due_today": ("đến hạn hôm nay", "due today"),
        "days_late": ("quá hạn {n} ngày", "{n} days late"),
        "no_deadline": ("không có hạn", "no deadline"),
        # Channels without buttons list the options with numbers.
        "numbered_hint": (
            "(Trả lời bằng số từ {first} đến {last})",
            "(Reply with a number from {first} to {last})",
        ),
        # Domain errors (DomainError.code).
        "error.task_not_found": (
            "Không tìm thấy nhiệm vụ {code}.",
            "Task {code} not found.",
        ),
        "error.task_not_found_suggest": (
            "Không tìm thấy nhiệm vụ {code}. Có phải bạn muốn: {suggestions}?",
            "Task {code} not found. Did you mean: {suggestions}?",
        ),
        "error.unit_not_found": ("Không tìm thấy đơn vị {code}.", "Unit {code} not found."),
        # Extension decisions, told in chat and queued for the people concerned.
        "extension.approved": (
            "Đã đồng ý gia hạn nhiệm vụ {code} — {title}: {old} → {new} ({leader}).",
            "Extension approved for {code} — {title}: {old} → {new} ({leader}).",
        ),
        "extension.rejected": (
            "Không đồng ý gia hạn nhiệm vụ {code} — {title}; thời hạn giữ nguyên {old} ({leader}).",
            "Extension rejected for {code} — {title}; the deadline stays {old} ({leader}).",
        ),
        "error.official_not_found": (
            "Không tìm thấy cán bộ {code}.",
            "Official {code} not found.",
        ),
        "error.official_already_revoked": (
            "Quyền truy cập của cán bộ {code} đã bị thu hồi trước đó.",
            "Access of official {code} was already revoked.",
        ),
        "error.official_inactive": (
            "Quyền truy cập của cán bộ {code} đã bị thu hồi; kích hoạt lại trước "
            "(dondoc reactivate {code}).",
            "Access of official {code} is revoked; reactivate first (dondoc reactivate {code}).",
        ),
        "error.official_already_active": (
            "Cán bộ {code} đang hoạt động; không cần kích hoạt lại.",
            "Official {code} is active; there is nothing to reactivate.",
        ),
        "error.progress_out_of_range": (
            "Tiến độ phải từ 0 đến 100% (bạn nhập {value}).",
            "Progress must be between 0 and 100% (you entered {value}).",
        ),
        "error.task_already_done": (
            "Nhiệm vụ đã hoàn thành; không thể hạ tiến độ xuống {new}%.",
            "The task is already done; progress cannot go back to {new}%.",
        ),
        "error.not_your_unit": (
            "Nhiệm vụ {code} không thuộc đơn vị của bạn.",
            "Task {code} is not assigned to your unit.",
        ),
        "error.coordinator_no_progress": (
            "Đơn vị phối hợp chỉ gửi ghi chú, không cập nhật tiến độ nhiệm vụ {code}.",
            "A coordinating unit adds notes only; it cannot set the progress of task {code}.",
        ),
        "error.not_allowed": (
            "Xin lỗi, bạn không có quyền thực hiện thao tác này.",
            "Sorry, you are not allowed to do this.",
        ),
        "error.extension_date_past": (
            "Ngày gia hạn {date} đã qua hoặc là hôm nay; hãy chọn một ngày trong tương lai.",
            "The extension date {date} is not in the future.",
        ),
        "error.extension_not_later": (
            "Ngày gia hạn {date} phải sau hạn hiện tại {deadline}.",
            "The new date {date} must be after the current deadline {deadline}.",
        ),
        "error.extension_pending": (
            "Nhiệm vụ {code} đã có đề nghị gia hạn đang chờ lãnh đạo xem xét.",
            "Task {code} already has an extension request waiting for a decision.",
        ),
        "error.extension_decided": (
            "Đề nghị gia hạn này đã được xử lý trước đó.",
            "This extension request has already been decided.",
        ),
        "error.extension_not_found": (
            "Không tìm thấy đề nghị gia hạn.",
            "Extension request not found.",
        ),
        "error.task_done_no_extension": (
            "Nhiệm vụ {code} đã hoàn thành, không cần gia hạn.",
            "Task {code} is done; no extension needed.",
        ),
        "error.invite_invalid": (
            "Mã mời không đúng. Vui lòng kiểm tra lại mã do Văn phòng UBND cấp.",
            "That invite code is not valid. Please check the code you were given.",
        ),
        "error.invite_used": ("Mã mời này đã được sử dụng.", "This invite code has been used."),
        "error.invite_expired": (
            "Mã mời đã hết hạn. Vui lòng xin mã mới từ Văn phòng UBND.",
            "This invite code has expired. Please ask for a new one.",
        ),
        "error.invite_throttled": (
            "Bạn đã nhập sai mã quá nhiều lần. Vui lòng thử lại sau {minutes} phút.",
            "Too many wrong codes. Please try again in {minutes} minutes.",
        ),
        "error.invite_wrong_chat": (
            "Mã mời này dùng cho {expected}; vui lòng gửi ở đó.",
            "This invite code is for {expected}; please send it there.",
        ),
    }
)
