"""Texts of the dashboard and the web chat page (Vietnamese first, English)."""

from bot.i18n import Catalog

TEXTS = Catalog("web")
