"""Routers collect handlers by command name, button prefix, flow name, or free text
(in the manner of aiogram's routers); the dispatcher picks one for each message."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from bot.messages import Reply
from bot.models import Role
from handlers.turn import Turn

HandlerResult = list[Reply] | Reply | None
Handler = Callable[[Turn], Awaitable[HandlerResult]]
AbandonHandler = Callable[[Turn, str, dict[str, Any]], Awaitable[Reply | None]]
"""Called with the step and data a flow had when something else ended it."""
ALL_ROLES = frozenset(Role)


@dataclass(frozen=True)
class CommandSpec:
    name: str
    """Canonical (Vietnamese) name, e.g. ``baocao``."""
    aliases: tuple[str, ...]
    handler: Handler
    roles: frozenset[Role] | None
    """Roles allowed; None means anyone, registered or not."""
    chats: frozenset[str]
    """Chat types where the command works: ``private`` and/or ``group``."""
    help_key: str | None
    """Text key describing the command in /trogiup (None: not listed)."""
    english: str
    """The name English speakers type (one of ``name`` and ``aliases``)."""
    menu_key: str | None
    """Text key of the one-line description in the command menu (None: not in the menu)."""
    read_only: bool = False
    """The handler only reads (possibly the whole city) and replies with text: the
    dispatcher records the update and commits the turn first, then runs it in a separate
    read session, so a long read never holds the turn's write transaction."""

    def name_in(self, lang: str | None) -> str:
        """The name shown to people using ``lang``."""
        return self.english if lang == "en" else self.name


@dataclass
class Router:
    commands: list[CommandSpec] = field(default_factory=list)
    callbacks: dict[str, Handler] = field(default_factory=dict)
    flows: dict[str, Handler] = field(default_factory=dict)
    text_handlers: list[Handler] = field(default_factory=list)
    abandon_handlers: dict[str, AbandonHandler] = field(default_factory=dict)

    def command(
        self,
        name: str,
        *aliases: str,
        roles: Iterable[Role] | None = ALL_ROLES,
        chats: Iterable[str] = ("private",),
        help_key: str | None = None,
        english: str | None = None,
        menu_key: str | None = None,
        read_only: bool = False,
    ) -> Callable[[Handler], Handler]:
        """Register a command. By default only registered officials (any role) may use it.

        ``english`` (default: ``name``) is the name English speakers type, accepted as an
        alias; ``menu_key`` puts the command in the command menu with that description; see
        :attr:`CommandSpec.read_only` for ``read_only``.
        """
        english_name = english or name
        if english_name not in (name, *aliases):
            aliases = (*aliases, english_name)

        def register(handler: Handler) -> Handler:
            self.commands.append(
                CommandSpec(
                    name=name,
                    aliases=aliases,
                    handler=handler,
                    roles=None if roles is None else frozenset(roles),
                    chats=frozenset(chats),
                    help_key=help_key,
                    read_only=read_only,
                    english=english_name,
                    menu_key=menu_key,
                )
            )
            return handler

        return register

    def callback(self, prefix: str) -> Callable[[Handler], Handler]:
        """Register a handler for button data ``prefix:...``."""

        def register(handler: Handler) -> Handler:
            self.callbacks[prefix] = handler
            return handler

        return register

    def flow(self, name: str) -> Callable[[Handler], Handler]:
        """Register the handler of text/files sent while a person is in flow ``name``."""

        def register(handler: Handler) -> Handler:
            self.flows[name] = handler
            return handler

        return register

    def abandoned(self, name: str) -> Callable[[AbandonHandler], AbandonHandler]:
        """Register what to tell a person when flow ``name`` ends before it finished: another
        command, button or message cleared it or started a new one (e.g. "your pending
        report was not saved"), so nothing is dropped without a word."""

        def register(handler: AbandonHandler) -> AbandonHandler:
            self.abandon_handlers[name] = handler
            return handler

        return register

    def text(self) -> Callable[[Handler], Handler]:
        """Register a free-text handler; it returns None to let the next one try."""

        def register(handler: Handler) -> Handler:
            self.text_handlers.append(handler)
            return handler

        return register
