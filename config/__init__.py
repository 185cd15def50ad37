"""Settings: environment variables (prefix ``DONDOC_``), an optional TOML file, defaults."""

from config.settings import (
    DigestSchedule,
    ReminderPolicy,
    Settings,
    SettingsError,
    load_settings,
)

__all__ = ["DigestSchedule", "ReminderPolicy", "Settings", "SettingsError", "load_settings"]
