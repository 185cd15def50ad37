"""Texts of reminders and scheduler notices (Vietnamese with diacritics, and English)."""

from bot.i18n import Catalog

TEXTS = Catalog("scheduler")
