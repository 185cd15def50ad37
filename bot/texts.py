"""Texts of the domain layer: status names, roles and every domain error."""

from bot.i18n import Catalog

TEXTS = Catalog("bot")
