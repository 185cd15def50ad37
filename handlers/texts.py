"""Texts of the conversation: context ``handlers`` of the message catalogs in ``bot/locale``."""

from bot.i18n import Catalog

TEXTS = Catalog("handlers")
