"""``/kenh`` (``/channel``): where reminders and digests go, and linking another channel.

An official may link several chat accounts (Telegram, Zalo, the web chat), each with a
single-use code given to ``/start``. ``/kenh`` shows the linked channels and offers: every
linked channel, or only one of them (stored in ``Official.notify_channels``: NULL means every
linked channel; the planner, digests and notices all honour it). ``/kenh zalo``,
``/kenh telegram zalo`` and ``/kenh tatca`` do the same in one line.

"Link another channel" (``/kenh lienket``) gives the official a fresh single-use code of their
own, valid for :data:`LINK_CODE_TTL`, to send with ``/start`` from the other app. Every change
is audited.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bot.folding import fold
from bot.i18n import Catalog
from bot.messages import Button, Reply
from bot.models import ChannelIdentity, Official
from bot.services import audit, invites
from bot.services.errors import DomainError
from bot.services.outbox import wanted_channels
from handlers.commands.common import official_of
from handlers.router import Router
from handlers.turn import Turn

router = Router()

CALLBACK = "kenh"
LINK_CODE_TTL = dt.timedelta(hours=1)
CHANNEL_NAMES = {"telegram": "Telegram", "zalo": "Zalo", "web": "Web"}
ALL_WORDS = frozenset({"tatca", "tat ca", "all", "ca hai", "both"})
LINK_WORDS = frozenset({"lienket", "lien ket", "link"})

TEXTS = Catalog("handlers.channel")


class ChoiceError(DomainError):
    """A refusal worded by this module's catalog; the dispatcher replies with it."""

    def message(self, lang: str | None = "vi") -> str:
        return TEXTS.t(self.code, lang, **self.params)


@router.command("kenh", english="channel", help_key="help.channel", menu_key="menu.channel")
async def channel(turn: Turn) -> Reply:
    """``/kenh`` shows the choice; ``/kenh <kênh…|tatca|lienket>`` applies one at once."""
    official = official_of(turn)
    words = fold(turn.args)
    if not words:
        return await _show(turn, official)
    if words in LINK_WORDS:
        return await _link_code(turn, official)
    if words in ALL_WORDS:
        return await _choose(turn, official, None)
    chosen = set(words.replace(",", " ").split())
    unknown = chosen - set(CHANNEL_NAMES)
    if unknown:
        raise ChoiceError("channel.unknown", text=turn.args.strip())
    return await _choose(turn, official, chosen)


@router.callback(CALLBACK)
async def chosen(turn: Turn) -> Reply:
    """``kenh:all``, ``kenh:only:<channel>`` or ``kenh:link`` from the buttons (or numbers)."""
    official = official_of(turn)
    action = turn.callback_part()
    if action == "all":
        reply = await _choose(turn, official, None)
    elif action == "only" and len(turn.callback) > 2 and turn.callback[2] in CHANNEL_NAMES:
        reply = await _choose(turn, official, {turn.callback[2]})
    elif action == "link":
        reply = await _link_code(turn, official)
    else:
        return turn.reply(turn.t("stale_button"))
    reply.edit = True
    return reply


def _t(turn: Turn, key: str, /, **params: object) -> str:
    return TEXTS.t(key, turn.lang, **params)


def _names(channels: list[str]) -> str:
    return ", ".join(CHANNEL_NAMES.get(channel, channel) for channel in channels)


async def _linked(turn: Turn, official: Official) -> list[str]:
    """The channels of this official's active chat accounts, in a stable order."""
    found = set(
        await turn.session.scalars(
            select(ChannelIdentity.channel).where(
                ChannelIdentity.official_id == official.id, ChannelIdentity.active.is_(True)
            )
        )
    )
    return [channel for channel in CHANNEL_NAMES if channel in {str(c) for c in found}]


async def _show(turn: Turn, official: Official) -> Reply:
    linked = await _linked(turn, official)
    wanted = wanted_channels(official)
    current = _t(turn, "channel.all_linked") if wanted is None else _names(sorted(wanted))
    lines = [
        _t(
            turn,
            "channel.status",
            current=current,
            linked=_names(linked) or _t(turn, "channel.none"),
        )
    ]
    if wanted is not None and not wanted & set(linked):
        lines.append(_t(turn, "channel.nothing_active"))
    buttons: list[list[Button]] = []
    if len(linked) > 1:
        lines.append(_t(turn, "channel.choose"))
        buttons.append([Button(_t(turn, "button.all"), f"{CALLBACK}:all")])
        for name in linked:
            label = _t(turn, "button.only", channel=CHANNEL_NAMES[name])
            buttons.append([Button(label, f"{CALLBACK}:only:{name}")])
    else:
        lines.append(_t(turn, "channel.only_one"))
    buttons.append([Button(_t(turn, "button.link"), f"{CALLBACK}:link")])
    return turn.reply("\n".join(lines), buttons)


async def _choose(turn: Turn, official: Official, chosen: set[str] | None) -> Reply:
    """Store the choice (None: every linked channel) and audit the change."""
    linked = await _linked(turn, official)
    if chosen is not None:
        for name in sorted(chosen):
            if name not in linked:
                raise ChoiceError("channel.not_linked", channel=CHANNEL_NAMES[name])
    ordered = list(linked) if chosen is None else [c for c in CHANNEL_NAMES if c in chosen]
    value = None if chosen is None else ",".join(ordered)
    previous = official.notify_channels
    if value != previous:
        official.notify_channels = value
        await audit.record(
            turn.session,
            turn.ctx,
            "official.notify_channels",
            "official",
            official.id,
            actor=official,
            via=turn.via,
            old=previous,
            new=value,
        )
    channels = _names(ordered)
    if chosen is None:
        channels = _t(turn, "channel.all_linked") + (f" ({channels})" if channels else "")
    return turn.reply(_t(turn, "channel.saved", channels=channels))


async def _link_code(turn: Turn, official: Official) -> Reply:
    code = await invites.create_invite(
        turn.session, turn.ctx, official=official, ttl=LINK_CODE_TTL, via=turn.via
    )
    minutes = int(LINK_CODE_TTL.total_seconds() // 60)
    reply = turn.reply(_t(turn, "channel.link_code", code=code, minutes=minutes))
    reply.secrets = (code,)
    return reply
