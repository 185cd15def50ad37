"""Dashboard access: one-time login links, sessions and CSRF tokens.

A login link is sent in chat by ``/dangnhap``; it is valid for ``login_link_ttl_minutes`` and
works once, also when several requests redeem it at the same moment (a conditional UPDATE
spends it). Using it opens a session (a random cookie value). Only SHA-256 hashes of link
tokens and session cookies are stored, so a copy of the database opens nothing.
"""

from __future__ import annotations

import datetime as dt
import enum
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.channel_traits import WEB
from bot.context import AppContext
from bot.models import ChannelIdentity, LoginLink, Official, WebSession
from bot.services import audit
from bot.services.login_links import TOKEN_BYTES, token_hash

SESSION_TTL = dt.timedelta(hours=12)


class LoginLinkProblem(enum.Enum):
    """Why a login link does not open a session."""

    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"


class LoginLinkError(Exception):
    def __init__(self, problem: LoginLinkProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


async def check_login_link(session: AsyncSession, ctx: AppContext, token: str) -> LoginLink:
    """The link for ``token`` if it can still be used; raises LoginLinkError otherwise."""
    link = await session.scalar(
        select(LoginLink)
        .where(LoginLink.token_hash == token_hash(token))
        .options(selectinload(LoginLink.official))
        .with_for_update()
    )
    if link is None or not link.official.active:
        raise LoginLinkError(LoginLinkProblem.UNKNOWN)
    if link.used_at is not None:
        raise LoginLinkError(LoginLinkProblem.USED)
    if link.expires_at <= ctx.now():
        raise LoginLinkError(LoginLinkProblem.EXPIRED)
    return link


@dataclass(frozen=True)
class NewSession:
    cookie: str
    """The plain cookie value (only its hash is stored)."""
    record: WebSession


async def use_login_link(
    session: AsyncSession, ctx: AppContext, token: str, *, via: str
) -> NewSession:
    """Spend a login link and open a session for its official."""
    link = await check_login_link(session, ctx, token)
    # Spend it only if nobody else has: concurrent requests may all have passed the check
    # (SQLite has no row lock), but only one of them changes the row.
    spent = await session.execute(
        update(LoginLink)
        .where(LoginLink.id == link.id, LoginLink.used_at.is_(None))
        .values(used_at=ctx.now())
        .execution_options(synchronize_session=False)
    )
    if getattr(spent, "rowcount", 0) != 1:
        raise LoginLinkError(LoginLinkProblem.USED)
    await audit.record(
        session, ctx, "login_link.use", "official", link.official_id, actor=link.official, via=via
    )
    return await open_session(session, ctx, link.official, via=via)


async def open_session(
    session: AsyncSession, ctx: AppContext, official: Official, *, via: str
) -> NewSession:
    """A new dashboard session for ``official`` (after a login link, or a demo pick)."""
    cookie = secrets.token_urlsafe(TOKEN_BYTES)
    now = ctx.now()
    record = WebSession(
        id_hash=token_hash(cookie),
        official_id=official.id,
        csrf_token=secrets.token_urlsafe(24),
        created_at=now,
        expires_at=now + SESSION_TTL,
    )
    session.add(record)
    await session.execute(delete(WebSession).where(WebSession.expires_at <= now))
    await session.flush()
    await audit.record(
        session, ctx, "session.open", "official", official.id, actor=official, via=via
    )
    return NewSession(cookie, record)


async def session_for_cookie(
    session: AsyncSession, ctx: AppContext, cookie: str | None
) -> WebSession | None:
    """The live session behind a cookie value, with its official and unit loaded."""
    if not cookie:
        return None
    record = await session.scalar(
        select(WebSession)
        .where(WebSession.id_hash == token_hash(cookie))
        .options(selectinload(WebSession.official).selectinload(Official.unit))
    )
    if record is None or record.expires_at <= ctx.now() or not record.official.active:
        return None
    return record


async def close_session(session: AsyncSession, ctx: AppContext, record: WebSession) -> None:
    await session.execute(delete(WebSession).where(WebSession.id == record.id))
    await audit.record(session, ctx, "session.close", "official", record.official_id, via="web")


async def expire_web_chat_link(session: AsyncSession, ctx: AppContext, chat_id: str) -> bool:
    """End a browser's link to an official ``web_chat_link_days`` after it was made (as a
    dashboard session ends); True when it just ended. The person links it again with a new
    invite code."""
    now = ctx.now()
    cutoff = now - dt.timedelta(days=ctx.settings.web_chat_link_days)
    identities = await session.scalars(
        select(ChannelIdentity).where(
            ChannelIdentity.channel == WEB.name,
            ChannelIdentity.external_user_id == chat_id,
            ChannelIdentity.active.is_(True),
            ChannelIdentity.created_at <= cutoff,
        )
    )
    expired = False
    for identity in identities:
        identity.active = False
        identity.deactivated_at = now
        expired = True
        await audit.record(
            session,
            ctx,
            "identity.expire",
            "official",
            identity.official_id,
            via=f"web:{chat_id}",
            channel=WEB.name,
        )
    return expired


def csrf_matches(record: WebSession, submitted: str | None) -> bool:
    """Constant-time check of a form's CSRF token against the session's."""
    return bool(submitted) and hmac.compare_digest(record.csrf_token, submitted or "")
