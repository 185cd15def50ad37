"""Texts of the domain layer: status names, roles and every domain error."""

from __future__ import annotations

from bot.i18n import Catalog
from bot.models import Official

TEXTS = Catalog("bot")


def named(official: Official, lang: str | None = "vi") -> str:
    """A person as chat and digests name them: with their job title from the data when there
    is one, as an office writes it (``Phó Chủ tịch UBND thành phố Trần Văn Hùng``), else the
    name alone."""
    if not official.title:
        return official.full_name
    return TEXTS.t("person.titled", lang, name=official.full_name, title=official.title)
