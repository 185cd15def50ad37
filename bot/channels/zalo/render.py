"""Neutral :class:`bot.messages.Reply` → Zalo calls (sendMessage, sendPhoto).

Zalo shows plain text only (no markdown, no buttons) in messages of at most 2000 characters:

- texts are split on line boundaries (``split_text``). Buttons are not rendered: the handlers'
  dispatcher has already turned them into numbered options for Zalo, and reminders say in
  words how to answer;
- a photo goes out with sendPhoto, by URL, only when ``DONDOC_PUBLIC_BASE_URL`` is set: its
  bytes are published under ``/media/`` (see :mod:`bot.channels.zalo.media`). Without a
  public URL Zalo cannot fetch it, so the photo reply (the picture and its caption) is left
  out; the digest's text goes separately and still arrives;
- a document cannot be sent at all: the text goes out with a line saying that the Excel
  report is on the dashboard (with its address when the public URL is known);
- ``Reply.edit`` cannot edit anything on Zalo: the reply is a new message.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from bot.channels.zalo.client import MAX_TEXT_LENGTH, split_text
from bot.channels.zalo.convert import CHANNEL
from bot.channels.zalo.media import media_url, publish
from bot.context import AppContext
from bot.i18n import Catalog
from bot.messages import Document, Reply, fit_caption
from bot.models import ChannelIdentity, Official

TEXTS = Catalog("zalo.render")


@dataclass(frozen=True)
class ZaloCall:
    """One API call: sendMessage (``text``) or sendPhoto (``photo_url``, ``caption``)."""

    text: str | None = None
    photo_url: str | None = None
    caption: str | None = None


class ZaloRenderer:
    """Turns replies into calls; needs the context to publish photos and read settings."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    async def render(self, reply: Reply, chat_id: str) -> list[ZaloCall]:
        if reply.photo is not None:
            return await self._photo(reply.text, reply.photo)
        text = reply.text
        if reply.document is not None:
            notice = await self._document_notice(reply.document, chat_id)
            text = "\n\n".join(part for part in (text or reply.document.caption, notice) if part)
        return [ZaloCall(text=part) for part in split_text(text)]

    async def _photo(self, text: str, photo: Document) -> list[ZaloCall]:
        base_url = self.ctx.settings.public_base_url
        if not base_url or photo.content is None:
            return []
        name = await publish(self.ctx, photo.content, photo.mime)
        before, caption = fit_caption(text or photo.caption, MAX_TEXT_LENGTH, MAX_TEXT_LENGTH)
        calls = [ZaloCall(text=part) for part in before]
        return [*calls, ZaloCall(photo_url=media_url(base_url, name), caption=caption or None)]

    async def _document_notice(self, document: Document, chat_id: str) -> str:
        lang = await self._language(chat_id)
        base_url = self.ctx.settings.public_base_url
        if base_url:
            url = base_url.rstrip("/") + "/"
            return TEXTS.t("zalo.document_link", lang, name=document.name, url=url)
        return TEXTS.t("zalo.document_dashboard", lang, name=document.name)

    async def _language(self, chat_id: str) -> str:
        """The language of the official behind a Zalo chat (the default for unknown chats)."""
        async with self.ctx.db.session() as session:
            language = await session.scalar(
                select(Official.language)
                .join(ChannelIdentity, ChannelIdentity.official_id == Official.id)
                .where(ChannelIdentity.channel == CHANNEL, ChannelIdentity.chat_id == chat_id)
                .limit(1)
            )
        return language or self.ctx.settings.language
