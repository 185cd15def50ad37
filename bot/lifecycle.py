"""The contract between the composition root (:mod:`bot.app`) and the parts it runs."""

from __future__ import annotations

from typing import Literal, Protocol


class Component(Protocol):
    """A part of the running bot with a life cycle."""

    name: str

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


class StartupError(Exception):
    """A component cannot start (e.g. a channel's token is refused); the message is one
    clear line for the operator."""


ChannelState = Literal["up", "down", "off"]
ChannelStates = dict[str, ChannelState]
"""Channel name → ``up``, ``down`` (retrying in the background) or ``off`` (token refused),
for channels that can be away; ``/healthz`` reports them."""
