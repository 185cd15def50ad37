"""The neutral channel contract: what a chat channel can show.

Handlers fit their replies to these traits and the scheduler fits outbox messages to them;
neither needs to know the adapter behind a channel name.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ChannelTraits:
    """What a channel can show; handlers adapt their replies to it."""

    name: str
    buttons: bool
    """Inline buttons exist. Without them, options become a numbered list ("trả lời 1, 2, 3")."""
    bare_commands: bool
    """Commands are recognised without the leading slash (Zalo has no native commands)."""
    max_text: int
    """Longest text one message may carry."""
    contact_request: bool = False
    """A button can ask for the person's own phone number (phone-number registration)."""


TELEGRAM = ChannelTraits(
    name="telegram", buttons=True, bare_commands=False, max_text=4096, contact_request=True
)
ZALO = ChannelTraits(name="zalo", buttons=False, bare_commands=True, max_text=2000)
WEB = ChannelTraits(name="web", buttons=True, bare_commands=True, max_text=8000)
TRAITS = {traits.name: traits for traits in (TELEGRAM, ZALO, WEB)}
