"""``/dangnhap`` (``/login``): a one-time link that opens the web dashboard."""

from __future__ import annotations

from bot.i18n import Catalog
from bot.messages import Reply
from bot.services.login_links import create_login_link, login_url
from handlers.router import Router
from handlers.turn import Turn

router = Router()

TEXTS = Catalog("handlers.login")


@router.command("dangnhap", english="login", help_key="help.login", menu_key="menu.login")
async def login(turn: Turn) -> Reply:
    """Registered officials only, private chats only (the link opens their session)."""
    assert turn.official is not None
    token = await create_login_link(turn.session, turn.ctx, turn.official, via=turn.via)
    minutes = turn.ctx.settings.login_link_ttl_minutes
    url = login_url(turn.ctx.settings, token)
    reply = turn.reply(TEXTS.t("login.link", turn.lang, minutes=minutes, url=url))
    reply.secrets = (token,)
    return reply
