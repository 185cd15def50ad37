"""Texts of the dashboard and the web chat page: context ``web`` of the message catalogs in
``bot/locale``."""

from bot.i18n import Catalog

TEXTS = Catalog("web")
