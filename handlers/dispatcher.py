"""The dispatcher: one transaction per incoming message, from dedupe to reply.

1. Record the update key (a redelivered update changes nothing and gets no reply).
2. Find the official behind the chat account and their conversation state (an account of a
   revoked official gets a refusal and nothing else).
3. Route: button press → callback handler; command → command handler (after the role and
   chat-type checks); active flow → flow handler; otherwise free-text handlers, then a hint.
4. Commit, then fit the replies to the channel (numbered options where there are no
   buttons, long texts split on line boundaries).

A ``read_only`` command (the whole-city reads: /tonghop, /quahan, /donvi) runs after step 4,
in a separate read session (:meth:`bot.db.Database.session`, aiosqlite's worker thread on
SQLite): the turn's write transaction only records the update and the checks.

A :class:`DomainError` becomes a polite reply and the transaction still commits (services
validate before they change anything). Database errors propagate, so the adapter does not
acknowledge the update and it is delivered again.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import bindparam
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channel_traits import ChannelTraits
from bot.context import AppContext
from bot.messages import IncomingMessage, Reply, split_text
from bot.models import InboundUpdate
from bot.options import OPTIONS_KEY, as_numbered
from bot.services.access import revoked_official
from bot.services.directory import official_by_identity
from bot.services.errors import DomainError
from handlers.examples import example_for
from handlers.parsing import command_key
from handlers.router import AbandonHandler, CommandSpec, Handler, HandlerResult, Router
from handlers.texts import TEXTS
from handlers.turn import FLOW_ID, Turn, load_sender, load_state

log = logging.getLogger(__name__)

MAX_INCOMING_TEXT = 4096
COMMAND_RE = re.compile(r"^/?(?P<name>[^\s@/]+)(?:@\S+)?(?:\s+(?P<args>.*))?$", re.DOTALL)


@dataclass(frozen=True)
class ReadAfterCommit:
    """A ``read_only`` command that passed every check: run after the turn commits."""

    spec: CommandSpec
    before: list[Reply] = dataclasses.field(default_factory=list)
    """Replies that go first (a notice that the command ended an unfinished flow)."""


class Dispatcher:
    """Routes neutral messages to handlers; the single entry point for every channel."""

    def __init__(self, ctx: AppContext, routers: Iterable[Router]) -> None:
        self.ctx = ctx
        self.routers = list(routers)
        self.commands: dict[str, CommandSpec] = {}
        self.callbacks: dict[str, Handler] = {}
        self.flows: dict[str, Handler] = {}
        self.text_handlers: list[Handler] = []
        self.abandon_handlers: dict[str, AbandonHandler] = {}
        for router in self.routers:
            for spec in router.commands:
                for word in (spec.name, *spec.aliases):
                    self.commands[command_key(word)] = spec
            self.callbacks.update(router.callbacks)
            self.flows.update(router.flows)
            self.text_handlers.extend(router.text_handlers)
            self.abandon_handlers.update(router.abandon_handlers)

    @property
    def command_specs(self) -> list[CommandSpec]:
        """Each command once, in registration order (for /trogiup and setMyCommands)."""
        return [spec for router in self.routers for spec in router.commands]

    async def handle(self, message: IncomingMessage, traits: ChannelTraits) -> list[Reply]:
        """Handle one message; returns the replies to send (empty for a duplicate).

        A bug in a handler rolls its changes back, marks the update processed (so it is not
        redelivered for ever) and answers with an apology.
        """
        message = storable(message)
        metrics = self.ctx.metrics
        metrics.updates.labels(channel=message.channel).inc()
        with metrics.timed(metrics.turn_seconds):
            return await self._handle(message, traits)

    async def _handle(self, message: IncomingMessage, traits: ChannelTraits) -> list[Reply]:
        try:
            async with self.ctx.db.turn() as session:
                outcome = await self._handle_in(session, message, traits)
            self.ctx.metrics.count_committed(session)
            if isinstance(outcome, tuple):
                return await self._read_after_commit(*outcome)
            return outcome
        except DBAPIError:
            raise
        except Exception:
            log.exception("handler failed for %s update %s", message.channel, message.update_key)
        async with self.ctx.db.turn() as session:
            if not await _claim_update(session, message, self.ctx):
                return []
            official = await official_by_identity(session, message.channel, message.user_id)
            lang = self._language(message, official.language if official else None)
        return [Reply(TEXTS.t("internal_error", lang))]

    async def _handle_in(
        self, session: AsyncSession, message: IncomingMessage, traits: ChannelTraits
    ) -> list[Reply] | tuple[Turn, ReadAfterCommit]:
        if not await _claim_update(session, message, self.ctx):
            return []
        official, state = await load_sender(session, message)
        if official is None and message.chat_type == "private":
            revoked = await revoked_official(session, message.channel, message.user_id)
            if revoked is not None:
                return [Reply(TEXTS.t("revoked", self._language(message, revoked.language)))]
        lang = self._language(message, official.language if official else None)
        turn = Turn(
            message=message,
            traits=traits,
            session=session,
            ctx=self.ctx,
            official=official,
            lang=lang,
            state=state,
            commands=self.command_specs,
        )
        result = await self._route(turn)
        if isinstance(result, ReadAfterCommit):
            if OPTIONS_KEY in turn.data:  # numbers refer to the latest message's options
                await self._fit(turn, [])
            return turn, result
        return await self._fit(turn, result)

    async def _read_after_commit(self, turn: Turn, pending: ReadAfterCommit) -> list[Reply]:
        """Run a ``read_only`` command in its own read session. The update is already
        recorded, so any failure is answered here rather than left for a redelivery."""
        spec = pending.spec
        try:
            async with self.ctx.db.session() as session:
                turn.session = session
                result = await spec.handler(turn)
        except DomainError as exc:
            result = Reply(exc.message(turn.lang))
        except Exception:
            log.exception("read-only command /%s failed", spec.name)
            result = Reply(TEXTS.t("internal_error", turn.lang))
        replies = [*pending.before, *_as_list(result)]
        if not turn.traits.buttons and any(reply.buttons for reply in replies):
            # Choices on a channel without buttons: numbered, and remembered for the answer.
            async with self.ctx.db.turn() as session:
                turn.session = session
                turn.state = await load_state(session, turn.message)
                return await self._fit(turn, replies)
        return [part for reply in replies for part in _split(reply, turn.traits.max_text)]

    def _language(self, message: IncomingMessage, official_language: str | None) -> str:
        if official_language in ("vi", "en"):
            return official_language
        if message.language and message.language.lower().startswith("en"):
            return "en"
        return self.ctx.settings.language

    async def _route(self, turn: Turn) -> list[Reply] | ReadAfterCommit:
        """The handler's replies, preceded by a notice when it ended an unfinished flow."""
        flow, data = turn.flow, turn.data
        step = turn.state.step if turn.state else ""
        try:
            picked = await self._pick(turn)
        except DomainError as exc:
            picked = Reply(exc.message(turn.lang))
        abandon = self.abandon_handlers.get(flow) if flow else None
        left = turn.flow != flow or turn.data.get(FLOW_ID) != data.get(FLOW_ID)
        notice = None
        if abandon is not None and left and not turn.flow_finished:
            notice = await abandon(turn, step, data)
        before = [notice] if notice is not None else []
        if isinstance(picked, ReadAfterCommit):
            return ReadAfterCommit(picked.spec, before)
        return [*before, *_as_list(picked)]

    async def _pick(self, turn: Turn) -> HandlerResult | ReadAfterCommit:
        """Route: button → callback handler; command; active flow; free-text handlers."""
        message = turn.message
        if message.callback_data is not None:
            return await self._on_callback(turn, message.callback_data)
        text = (message.text or "").strip()
        if len(text) > MAX_INCOMING_TEXT:
            return turn.reply(turn.t("text_too_long", limit=MAX_INCOMING_TEXT))
        if not turn.traits.buttons and text.isdigit():
            chosen = _numbered_option(turn, int(text))
            if chosen is not None:
                return await self._on_callback(turn, chosen)
        spec, args = self._match_command(text, turn.traits)
        if spec is not None:
            return await self._on_command(turn, spec, args)
        if turn.flow and turn.flow in self.flows:
            return await self.flows[turn.flow](turn)
        if turn.is_group:
            return None  # people talk to each other in groups: answer commands only
        for handler in self.text_handlers:
            result = await handler(turn)
            if result is not None:
                return result
        if turn.official is None:
            return turn.reply(turn.t("unregistered"))
        example = await example_for(turn)
        return turn.reply(turn.t("unknown_input", **example.params()))

    def _match_command(self, text: str, traits: ChannelTraits) -> tuple[CommandSpec | None, str]:
        """The command a text starts with, and its arguments.

        Names are compared by :func:`handlers.parsing.command_key` (case, Vietnamese
        diacritics, spaces and underscores ignored), so ``/báocáo`` and ``/bao_cao`` are
        ``/baocao``; a name typed as two words (``/báo cáo NV-01``) is found too.
        """
        if not text:
            return None, ""
        if not text.startswith("/") and not traits.bare_commands:
            return None, ""
        match = COMMAND_RE.match(text)
        if match is None:
            return None, ""
        args = (match["args"] or "").strip()
        spec = self.commands.get(command_key(match["name"]))
        if spec is None and args:
            second, *rest = args.split(maxsplit=1)
            spec = self.commands.get(command_key(match["name"] + second))
            if spec is not None:
                args = rest[0].strip() if rest else ""
        return spec, args

    async def _on_command(
        self, turn: Turn, spec: CommandSpec, args: str
    ) -> HandlerResult | ReadAfterCommit:
        turn.command, turn.args = spec.name, args
        if spec.roles is not None:
            if turn.official is None:
                return turn.reply(turn.t("unregistered"))
            if turn.official.role not in spec.roles:
                return turn.reply(turn.t("denied"))
        chat_type = turn.message.chat_type
        if chat_type not in spec.chats:
            key = "private_only" if "private" in spec.chats else "group_only"
            return turn.reply(turn.t(key, command=spec.name))
        if turn.flow and spec.name != turn.flow:
            turn.interrupted_flow = turn.flow
            await turn.clear_state()
        if spec.read_only:
            return ReadAfterCommit(spec)
        return await spec.handler(turn)

    async def _on_callback(self, turn: Turn, data: str) -> HandlerResult:
        turn.callback = data.split(":")
        handler = self.callbacks.get(turn.callback[0])
        if handler is None:
            return turn.reply(turn.t("stale_button"))
        if turn.official is None:
            return turn.reply(turn.t("unregistered"))
        return await handler(turn)

    async def _fit(self, turn: Turn, replies: list[Reply]) -> list[Reply]:
        """Adapt replies to the channel: numbered options instead of buttons, split texts."""
        traits = turn.traits
        options: list[str] = []
        if not traits.buttons:
            replies, options = as_numbered(replies, turn.lang)
        fitted = [part for reply in replies for part in _split(reply, traits.max_text)]
        data = turn.data
        if options or OPTIONS_KEY in data:
            # Numbers always refer to the options of the latest message.
            if options:
                data[OPTIONS_KEY] = options
            else:
                data.pop(OPTIONS_KEY)
            await turn.set_state(turn.flow or "", turn.state.step if turn.state else "", data)
        return fitted


def _storable_text(value: str | None) -> str | None:
    """Without NUL characters and lone surrogates, which no database column accepts."""
    if value is None:
        return None
    return value.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")


def storable(message: IncomingMessage) -> IncomingMessage:
    """The message with its free-form fields made safe to store: a text the database refuses
    would otherwise fail the transaction on every redelivery."""
    return dataclasses.replace(
        message,
        text=_storable_text(message.text),
        callback_data=_storable_text(message.callback_data),
        display_name=_storable_text(message.display_name),
    )


def _numbered_option(turn: Turn, number: int) -> str | None:
    options = turn.data.get(OPTIONS_KEY) or []
    if 1 <= number <= len(options):
        return str(options[number - 1])
    return None


def _as_list(result: HandlerResult) -> list[Reply]:
    if result is None:
        return []
    if isinstance(result, Reply):
        return [result]
    return list(result)


def _split(reply: Reply, limit: int) -> list[Reply]:
    parts = split_text(reply.text, limit)
    if len(parts) == 1:
        return [reply]
    head = [Reply(text=part, secrets=reply.secrets) for part in parts[:-1]]
    head[0].edit = reply.edit
    last = Reply(
        text=parts[-1],
        buttons=reply.buttons,
        document=reply.document,
        photo=reply.photo,
        secrets=reply.secrets,
    )
    return [*head, last]


_CLAIM = {
    dialect: insert(InboundUpdate)
    .values(channel=bindparam("channel"), update_key=bindparam("key"), processed_at=bindparam("at"))
    .on_conflict_do_nothing()
    for dialect, insert in (("postgresql", pg_insert), ("sqlite", sqlite_insert))
}


async def _claim_update(session: AsyncSession, message: IncomingMessage, ctx: AppContext) -> bool:
    """Insert the update key; False when this update was processed before."""
    connection = await session.connection()
    result = await connection.execute(
        _CLAIM[connection.dialect.name],
        {"channel": message.channel, "key": message.update_key, "at": ctx.now()},
    )
    return result.rowcount == 1


def build_dispatcher(ctx: AppContext) -> Dispatcher:
    """The dispatcher with every command of the product."""
    from handlers.commands import ROUTERS

    return Dispatcher(ctx, ROUTERS)
