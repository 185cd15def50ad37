"""Registration (/start <invite code>, or the phone number shared from the person's own
contact card), help (/trogiup) and leaving a flow (/huy)."""

from __future__ import annotations

from bot.messages import Reply
from bot.models import Role
from bot.services import invites, phone_registration
from bot.services.errors import DomainError
from bot.texts import TEXTS as DOMAIN_TEXTS
from handlers.commands.common import ChatError
from handlers.examples import example_for
from handlers.router import Router
from handlers.turn import Turn

router = Router()


@router.command(
    "start",
    "batdau",
    roles=None,
    chats=("private", "group"),
    help_key="help.start",
    menu_key="menu.start",
)
async def start(turn: Turn) -> Reply:
    """``/start <code>`` links this account (private chat) or binds a group to a unit."""
    code = turn.args.split()[0] if turn.args else ""
    if not code:
        if turn.official is not None:
            return turn.reply(turn.t("start.already", name=turn.official.full_name))
        if _phone_registration(turn):
            return Reply(
                turn.t("start.share_phone"), request_contact=turn.t("start.share_phone_button")
            )
        return turn.reply(turn.t("unregistered"))
    message = turn.message
    try:
        redeemed = await invites.redeem_invite(
            turn.session,
            turn.ctx,
            code,
            channel=message.channel,
            external_user_id=message.user_id,
            chat_id=message.chat_id,
            chat_type=message.chat_type,
            display_name=message.display_name,
        )
    except DomainError as exc:
        if exc.code == "invite_wrong_chat":
            raise ChatError(f"start.wrong_chat.{exc.params.get('expected')}") from exc
        raise
    if redeemed.unit is not None:
        return turn.reply(turn.t("start.group_bound", unit=redeemed.unit.name))
    official = redeemed.official
    assert official is not None
    turn.official = official
    turn.lang = official.language
    role = DOMAIN_TEXTS.t(f"role.{official.role.value}", turn.lang)
    return turn.reply(turn.t("start.linked", name=official.full_name, role=role))


def _phone_registration(turn: Turn) -> bool:
    """Phone-number registration is on, and this chat can ask for the person's number."""
    return (
        turn.ctx.settings.phone_registration
        and turn.traits.contact_request
        and turn.message.chat_type == "private"
    )


@router.text()
async def shared_contact(turn: Turn) -> Reply | None:
    """A contact card shared in a private chat: link the account when it is the sender's own
    card and its number is exactly one active official's imported phone."""
    contact = turn.message.contact
    if contact is None:
        return None
    if turn.official is not None:
        return Reply(turn.t("start.already", name=turn.official.full_name), remove_keyboard=True)
    if not _phone_registration(turn):
        return Reply(turn.t("phone.disabled"), remove_keyboard=True)
    message = turn.message
    try:
        official = await phone_registration.link_by_phone(
            turn.session,
            turn.ctx,
            contact,
            channel=message.channel,
            external_user_id=message.user_id,
            chat_id=message.chat_id,
            display_name=message.display_name,
        )
    except DomainError as exc:
        if exc.code == "phone_not_own":
            return Reply(exc.message(turn.lang), request_contact=turn.t("start.share_phone_button"))
        return Reply(exc.message(turn.lang), remove_keyboard=True)
    turn.official = official
    turn.lang = official.language
    role = DOMAIN_TEXTS.t(f"role.{official.role.value}", turn.lang)
    text = turn.t("start.linked", name=official.full_name, role=role)
    return Reply(text, remove_keyboard=True)


@router.command(
    "trogiup",
    english="help",
    roles=None,
    chats=("private", "group"),
    help_key="help.help",
    menu_key="menu.help",
)
async def help_(turn: Turn) -> Reply:
    """What this person may do: every command their role allows, in their language."""
    lines = [turn.t("help.title")]
    example = (await example_for(turn)).params()
    role: Role | None = turn.official.role if turn.official else None
    for spec in turn.commands:
        if spec.help_key is None:
            continue
        allowed = spec.roles is None or (role is not None and role in spec.roles)
        if allowed and turn.message.chat_type in spec.chats:
            lines.append(turn.t(spec.help_key, **example))
    if turn.official is None:
        lines.append("")
        lines.append(turn.t("help.register"))
    return turn.reply("\n".join(lines))


@router.command(
    "huy",
    english="cancel",
    roles=None,
    chats=("private", "group"),
    help_key="help.cancel",
    menu_key="menu.cancel",
)
async def cancel(turn: Turn) -> Reply:
    had_flow = turn.flow is not None or turn.interrupted_flow is not None
    await turn.clear_state()
    return turn.reply(turn.t("cancel.done" if had_flow else "cancel.nothing"))
