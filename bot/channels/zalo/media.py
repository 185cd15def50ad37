"""Images served by URL: Zalo's sendPhoto takes a public URL, never an upload.

Before a photo (the weekly digest's chart) goes to Zalo, its bytes are stored in the
``public_media`` table under the SHA-256 of the content and served at
``{public_base_url}/media/<sha256>.png`` by the bot's one web server. The database (not
memory) holds them so that any instance behind a load balancer can answer Zalo's fetch. The
name cannot be guessed without the bytes; rows expire after :data:`MEDIA_TTL` and expired ones
are deleted whenever a new image is stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from aiohttp import web
from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from bot.context import AppContext
from bot.models import PublicMedia

MEDIA_ROUTE = "/media/{name}"
MEDIA_TTL = dt.timedelta(days=7)
EXTENSIONS = {"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif", "image/webp": ".webp"}


def media_name(content: bytes, mime: str) -> str:
    return hashlib.sha256(content).hexdigest() + EXTENSIONS.get(mime, ".bin")


def media_url(public_base_url: str, name: str) -> str:
    return f"{public_base_url.rstrip('/')}/media/{name}"


async def publish(ctx: AppContext, content: bytes, mime: str) -> str:
    """Store ``content`` (or extend its expiry) and return its name under ``/media/``."""
    name = media_name(content, mime)
    now = ctx.now()
    expires_at = now + MEDIA_TTL
    async with ctx.db.session() as session:
        await session.execute(delete(PublicMedia).where(PublicMedia.expires_at <= now))
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        await session.execute(
            insert(PublicMedia)
            .values(name=name, mime=mime, content=content, created_at=now, expires_at=expires_at)
            .on_conflict_do_update(index_elements=["name"], set_={"expires_at": expires_at})
        )
    return name


class MediaRoute:
    """``GET /media/<name>``: a stored image until it expires, 404 otherwise."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    def register(self, app: web.Application) -> None:
        app.router.add_get(MEDIA_ROUTE, self.handle)

    async def handle(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        async with self.ctx.db.session() as session:
            media = await session.get(PublicMedia, name)
            if media is None or media.expires_at <= self.ctx.now():
                raise web.HTTPNotFound()
            content, mime = media.content, media.mime
        return web.Response(
            body=content, content_type=mime, headers={"Cache-Control": "public, max-age=86400"}
        )
