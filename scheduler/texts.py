"""Texts of reminders and scheduler notices: context ``scheduler`` of the message catalogs in
``bot/locale``."""

from bot.i18n import Catalog

TEXTS = Catalog("scheduler")
