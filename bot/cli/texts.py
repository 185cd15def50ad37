"""The command line's fault lines, in the configured language (``DONDOC_LANGUAGE``)."""

from __future__ import annotations

import os

from bot.i18n import LANGUAGES, Catalog
from config import SettingsError, load_settings

TEXTS = Catalog("cli")


def cli_language() -> str:
    """The configured language; when the settings themselves are wrong, ``DONDOC_LANGUAGE``
    as written (Vietnamese unless it says ``en``)."""
    try:
        return load_settings().language
    except SettingsError:
        language = os.environ.get("DONDOC_LANGUAGE", "vi").strip().lower()
        return language if language in LANGUAGES else "vi"
