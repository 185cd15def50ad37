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
            "Tôi chưa hiểu tin nhắn này. Gõ /trogiup để xem các lệnh.",
            "I did not understand that. Type /help to see the commands.",
        ),
        "numbered_hint": (
            "(Trả lời bằng số từ {first} đến {last})",
            "(Reply with a number from {first} to {last})",
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
    }
)
