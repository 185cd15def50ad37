"""Texts of the conversation (Vietnamese with full diacritics, and English)."""

from bot.i18n import Catalog

TEXTS = Catalog("handlers")
