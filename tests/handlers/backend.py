"""An Errbot-style test backend: chat with the real Dispatcher on the real database.

``push_message`` / ``push_button`` / ``push_file`` deliver what a person does; every reply
goes to a FIFO read with ``pop_message``. Outbox helpers read the notices queued for others
(extension requests, decisions) the way the scheduler's dispatcher would send them.
"""

from __future__ import annotations

import itertools
from collections import deque
from dataclasses import dataclass

from sqlalchemy import select

from bot.channel_traits import TELEGRAM, ChannelTraits
from bot.context import AppContext
from bot.messages import Attachment, IncomingMessage, Reply, SharedContact, button_options
from bot.models import ConversationState, OutboxMessage
from handlers import Dispatcher, build_dispatcher


@dataclass(frozen=True)
class ChatUser:
    """A chat account; its private chat id is its user id."""

    user_id: str
    name: str = ""
    language: str | None = None


@dataclass(frozen=True)
class Group:
    chat_id: str
    title: str = "Nhóm đơn vị"


class EmptyQueue(AssertionError):
    """pop_message found no reply waiting."""


class ChatBackend:
    def __init__(self, ctx: AppContext, traits: ChannelTraits = TELEGRAM) -> None:
        self.ctx = ctx
        self.traits = traits
        self.channel = traits.name
        self.dispatcher: Dispatcher = build_dispatcher(ctx)
        self.queue: deque[Reply] = deque()
        self._keys = itertools.count(1)
        self.last_key = ""

    def restart(self) -> None:
        """A new Dispatcher on the same database, as after a bot restart."""
        self.dispatcher = build_dispatcher(self.ctx)

    async def push(self, message: IncomingMessage) -> list[Reply]:
        replies = await self.dispatcher.handle(message, self.traits)
        self.queue.extend(replies)
        return replies

    def _message(
        self, user: ChatUser, group: Group | None, update_key: str | None, **fields: object
    ) -> IncomingMessage:
        self.last_key = update_key or f"u{next(self._keys)}"
        return IncomingMessage(
            channel=self.channel,
            user_id=user.user_id,
            chat_id=group.chat_id if group else user.user_id,
            update_key=self.last_key,
            chat_type="group" if group else "private",
            display_name=group.title if group else user.name,
            language=user.language,
            sent_at=self.ctx.now(),
            **fields,  # type: ignore[arg-type]
        )

    async def push_message(
        self,
        user: ChatUser,
        text: str,
        *,
        group: Group | None = None,
        update_key: str | None = None,
    ) -> list[Reply]:
        return await self.push(self._message(user, group, update_key, text=text))

    async def push_button(
        self, user: ChatUser, data: str, *, group: Group | None = None
    ) -> list[Reply]:
        return await self.push(self._message(user, group, None, callback_data=data))

    async def push_file(
        self, user: ChatUser, attachment: Attachment, caption: str | None = None
    ) -> list[Reply]:
        return await self.push(self._message(user, None, None, text=caption, attachment=attachment))

    async def push_contact(self, user: ChatUser, phone: str, owner: str | None) -> list[Reply]:
        """``user`` shares a contact card with ``phone``, of the account ``owner`` (their
        own when it is ``user.user_id``)."""
        contact = SharedContact(phone=phone, user_id=owner)
        return await self.push(self._message(user, None, None, contact=contact))

    def pop_message(self) -> Reply:
        if not self.queue:
            raise EmptyQueue("no reply is waiting")
        return self.queue.popleft()

    def pop_text(self) -> str:
        """All waiting replies' texts joined (a long reply may come in parts)."""
        texts = [self.pop_message().text]
        while self.queue:
            texts.append(self.queue.popleft().text)
        return "\n".join(texts)

    async def state(self, user: ChatUser) -> ConversationState | None:
        async with self.ctx.db.session() as session:
            return await session.scalar(
                select(ConversationState).where(
                    ConversationState.channel == self.channel,
                    ConversationState.chat_id == user.user_id,
                    ConversationState.user_id == user.user_id,
                )
            )

    async def outbox(self, kind: str | None = None) -> list[OutboxMessage]:
        async with self.ctx.db.session() as session:
            query = select(OutboxMessage).order_by(OutboxMessage.id)
            if kind is not None:
                query = query.where(OutboxMessage.kind == kind)
            return list(await session.scalars(query))

    async def notices_for(self, user: ChatUser, kind: str | None = None) -> list[Reply]:
        """The queued outbox messages to this person's private chat, as replies."""
        rows = await self.outbox(kind)
        return [
            Reply.from_dict(item)
            for row in rows
            if row.channel == self.channel and row.chat_id == user.user_id
            for item in row.payload["replies"]
        ]


def button_data(reply: Reply, label: str) -> str:
    """The data of the button whose label contains ``label``."""
    for button in button_options(reply.buttons):
        if label in button.label:
            return button.data
    raise AssertionError(
        f"no button {label!r} in {[b.label for b in button_options(reply.buttons)]}"
    )


def labels(reply: Reply) -> list[str]:
    return [button.label for button in button_options(reply.buttons)]
