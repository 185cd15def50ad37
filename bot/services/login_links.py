"""Login links: the one-time link that ``/dangnhap`` sends in chat to open the dashboard.

Handlers create links here; the web layer (:mod:`bot.web.auth`) redeems them. Only the
SHA-256 hash of a token is stored, so a copy of the database opens nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import secrets

from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import AppContext
from bot.models import LoginLink, Official
from bot.services import audit
from config import Settings

TOKEN_BYTES = 32


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def web_base_url(settings: Settings) -> str:
    """Where people reach the web server: the public URL when configured, else local."""
    if settings.public_base_url:
        return settings.public_base_url.rstrip("/")
    host = settings.web_host
    if host in ("", "0.0.0.0", "::"):
        host = "127.0.0.1"
    elif _is_ipv6(host):
        host = f"[{host}]"
    return f"http://{host}:{settings.web_port}"


def _is_ipv6(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).version == 6
    except ValueError:
        return False


def login_url(settings: Settings, token: str) -> str:
    return f"{web_base_url(settings)}/login/{token}"


async def create_login_link(
    session: AsyncSession, ctx: AppContext, official: Official, *, via: str
) -> str:
    """Issue a one-time login link token for ``official``; returns the plain token."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    now = ctx.now()
    link = LoginLink(
        token_hash=token_hash(token),
        official_id=official.id,
        created_at=now,
        expires_at=now + dt.timedelta(minutes=ctx.settings.login_link_ttl_minutes),
    )
    session.add(link)
    await session.flush()
    await audit.record(
        session, ctx, "login_link.create", "official", official.id, actor=official, via=via
    )
    return token
