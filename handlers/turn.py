"""A :class:`Turn` is one incoming message being handled, with everything a handler needs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, bindparam, delete, join, literal, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from bot.channel_traits import ChannelTraits
from bot.context import AppContext
from bot.messages import Button, IncomingMessage, Reply
from bot.models import ChannelIdentity, ConversationState, Official
from handlers.texts import TEXTS

if TYPE_CHECKING:
    from handlers.router import CommandSpec

FLOW_ID = "fid"
"""The key of a flow instance's id in its data: a new id means the old instance was left."""


@dataclass
class Turn:
    message: IncomingMessage
    traits: ChannelTraits
    session: AsyncSession
    ctx: AppContext
    official: Official | None
    lang: str
    state: ConversationState | None
    args: str = ""
    """For commands: the text after the command word."""
    command: str = ""
    """For commands: the canonical command name that matched."""
    callback: list[str] = field(default_factory=list)
    """For button presses: the callback data split on ':' (prefix first)."""
    commands: list[CommandSpec] = field(default_factory=list)
    """Every command of the dispatcher, once each (for /trogiup)."""
    interrupted_flow: str | None = None
    """For commands: the flow this command ended (another command leaves any flow)."""
    flow_finished: bool = False
    """Set by a flow's own handler that ends it on purpose (saved, or cancelled by its button)."""

    @property
    def via(self) -> str:
        """Who did it, for the audit log: ``telegram:12345``."""
        return f"{self.message.channel}:{self.message.user_id}"

    def callback_part(self, index: int = 1) -> str:
        """The ``index``-th part of a button's callback data ("" when the button has fewer)."""
        return self.callback[index] if len(self.callback) > index else ""

    @property
    def is_group(self) -> bool:
        return self.message.chat_type == "group"

    def t(self, key: str, /, **params: object) -> str:
        return TEXTS.t(key, self.lang, **params)

    def reply(
        self, text: str, buttons: list[list[Button]] | None = None, *, edit: bool = False
    ) -> Reply:
        return Reply(text=text, buttons=buttons or [], edit=edit)

    @property
    def flow(self) -> str | None:
        return self.state.flow if self.state and self.state.flow else None

    @property
    def data(self) -> dict[str, Any]:
        return dict(self.state.data) if self.state else {}

    async def set_state(self, flow: str, step: str, data: dict[str, Any]) -> ConversationState:
        """Save where this person is in a flow (in the database, so it survives restarts)."""
        if self.state is None:
            self.state = await load_state(self.session, self.message)
        if self.state is None:
            self.state = ConversationState(
                channel=self.message.channel,
                chat_id=self.message.chat_id,
                user_id=self.message.user_id,
            )
            self.session.add(self.state)
        self.state.flow = flow
        self.state.step = step
        self.state.data = dict(data)
        self.state.updated_at = self.ctx.now()
        await self.session.flush()
        return self.state

    async def clear_state(self) -> None:
        await self.session.execute(
            delete(ConversationState).where(
                ConversationState.channel == self.message.channel,
                ConversationState.chat_id == self.message.chat_id,
                ConversationState.user_id == self.message.user_id,
            )
        )
        self.state = None


_STATE = select(ConversationState).where(
    ConversationState.channel == bindparam("channel"),
    ConversationState.chat_id == bindparam("chat"),
    ConversationState.user_id == bindparam("user"),
)


async def load_state(session: AsyncSession, message: IncomingMessage) -> ConversationState | None:
    return await session.scalar(
        _STATE, {"channel": message.channel, "chat": message.chat_id, "user": message.user_id}
    )


_SENDER = (
    select(Official, ConversationState)
    # One row whatever is found: each of the two is joined to it and may be missing.
    .select_from(select(literal(1).label("one")).subquery("anchor"))
    .outerjoin(
        join(Official, ChannelIdentity, ChannelIdentity.official_id == Official.id),
        and_(
            ChannelIdentity.channel == bindparam("channel"),
            ChannelIdentity.external_user_id == bindparam("user"),
            ChannelIdentity.active.is_(True),
            Official.active.is_(True),
        ),
    )
    .outerjoin(
        ConversationState,
        and_(
            ConversationState.channel == bindparam("channel"),
            ConversationState.chat_id == bindparam("chat"),
            ConversationState.user_id == bindparam("user"),
        ),
    )
    .options(joinedload(Official.unit))
)


async def load_sender(
    session: AsyncSession, message: IncomingMessage
) -> tuple[Official | None, ConversationState | None]:
    """The official behind the message's chat account (with their unit) and the
    conversation state of the chat, in one query: the start of every chat turn."""
    row = (
        await session.execute(
            _SENDER,
            {"channel": message.channel, "chat": message.chat_id, "user": message.user_id},
        )
    ).one()
    return row[0], row[1]
