"""Texts of the domain layer (status names, roles, domain errors): context ``bot`` of the
message catalogs in ``bot/locale``."""

from bot.i18n import Catalog

TEXTS = Catalog("bot")
