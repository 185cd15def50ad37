"""Errors the domain raises; ``code`` selects the message in ``bot.texts`` (``error.<code>``)."""

from __future__ import annotations

from bot.texts import TEXTS


class DomainError(Exception):
    def __init__(self, code: str, /, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params

    def message(self, lang: str | None = "vi") -> str:
        return TEXTS.t(f"error.{self.code}", lang, **self.params)

    def __str__(self) -> str:
        return self.message("en")
