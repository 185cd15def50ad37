"""The command line's fault lines, in the configured language (``DONDOC_LANGUAGE``)."""

from __future__ import annotations

import os

from bot.i18n import LANGUAGES, Catalog
from config import SettingsError, load_settings

TEXTS = Catalog(
    {
        "settings_error": ("Lỗi cấu hình: {detail}", "Configuration error: {detail}"),
        "database_unavailable": (
            "Không kết nối được cơ sở dữ liệu DONDOC_DATABASE_URL={url}: {reason}. "
            "Hãy kiểm tra máy chủ cơ sở dữ liệu và giá trị DONDOC_DATABASE_URL.",
            "Cannot reach the database DONDOC_DATABASE_URL={url}: {reason}. "
            "Check the database server and DONDOC_DATABASE_URL.",
        ),
        "database_not_migrated": (
            "Cơ sở dữ liệu DONDOC_DATABASE_URL={url} chưa có các bảng của Dondoc ({reason}): "
            "hãy chạy `dondoc migrate` trước.",
            "The database DONDOC_DATABASE_URL={url} has no Dondoc tables ({reason}): run "
            "`dondoc migrate` first.",
        ),
        "port_in_use": (
            "Cổng {port} trên {host} đã có chương trình khác dùng (có thể Dondoc đang chạy): "
            "hãy dừng chương trình đó hoặc đặt DONDOC_WEB_PORT sang cổng khác.",
            "Port {port} on {host} is already in use (Dondoc may be running already): stop "
            "that program or set DONDOC_WEB_PORT to another port.",
        ),
        "cannot_listen": (
            "Không mở được địa chỉ web {host}:{port} ({reason}): hãy kiểm tra "
            "DONDOC_WEB_HOST và DONDOC_WEB_PORT.",
            "Cannot listen on {host}:{port} ({reason}): check DONDOC_WEB_HOST and DONDOC_WEB_PORT.",
        ),
        "cannot_start": ("Không khởi động được: {detail}", "Cannot start: {detail}"),
    }
)


def cli_language() -> str:
    """The configured language; when the settings themselves are wrong, ``DONDOC_LANGUAGE``
    as written (Vietnamese unless it says ``en``)."""
    try:
        return load_settings().language
    except SettingsError:
        language = os.environ.get("DONDOC_LANGUAGE", "vi").strip().lower()
        return language if language in LANGUAGES else "vi"
