"""Settings: environment variables (prefix ``DONDOC_``), an optional TOML file, defaults."""

from config.settings import (
    DigestSchedule,
    ReminderPolicy,
    Settings,
    SettingsError,
    load_settings,
    mask_url_password,
)

__all__ = [
    "DigestSchedule",
    "ReminderPolicy",
    "Settings",
    "SettingsError",
    "load_settings",
    "mask_url_password",
]
