"""Files a linked official attaches in the web chat (``POST /chat/upload``): reading the
multipart form and keeping the file in the chat's history.

Not to be confused with :mod:`bot.web.uploads` (the dashboard's download of such a file,
``GET /uploads/{id}``) nor :mod:`bot.web.upload_form` (the admin forms' uploads, streamed to
disk): a chat attachment is small and is kept in the database with its message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from aiohttp import BodyPartReader, web
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import AppContext
from bot.models import WebMessage
from bot.text_cleaning import clean_text
from bot.web.chat_incoming import CLIENT_ID, MAX_TEXT

UPLOAD_CHUNK = 64 * 1024
MIME_RE = re.compile(r"^[\w.+-]+/[\w.+-]+$")


@dataclass(frozen=True)
class Upload:
    """A file attached in the chat, as the page posts it (``/chat/upload``)."""

    csrf: str
    client_id: str
    text: str
    name: str
    mime: str
    content: bytes


class UploadRefusedError(Exception):
    """An upload that is not stored: ``key`` is the web catalog's text for the person."""

    def __init__(self, key: str, status: int, client_id: str | None = None) -> None:
        super().__init__(key)
        self.key = key
        self.status = status
        self.client_id = client_id


def megabytes(size: int) -> str:
    """``10485760`` → ``10 MB``, ``1536`` → ``1,5 KB`` (an upload limit as people read it)."""
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:.3g} {unit}".replace(".", ",")
    return f"{size} B"


def upload_url(row_id: int) -> str:
    """Where the dashboard serves an attached file to those who may read the report's task
    (:mod:`bot.web.uploads`)."""
    return f"/uploads/{row_id}"


async def _read_part(part: BodyPartReader, limit: int, key: str) -> bytes:
    """A multipart field's bytes; more than ``limit`` refuses the upload with ``key``."""
    content = bytearray()
    while chunk := await part.read_chunk(UPLOAD_CHUNK):
        content += chunk
        if len(content) > limit:
            raise UploadRefusedError(key, 413)
    return bytes(content)


async def read_upload(request: web.Request, limit: int) -> Upload:
    """The fields ``csrf``, ``id``, ``text`` and ``file`` of a multipart form, the file at
    most ``limit`` bytes (read in chunks: a larger one is never held whole)."""
    if request.content_type != "multipart/form-data":
        raise UploadRefusedError("chat.upload_bad", 400)
    fields: dict[str, str] = {}
    file: tuple[str, str, bytes] | None = None
    reader = await request.multipart()
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader) or part.name not in ("csrf", "id", "text", "file"):
            raise UploadRefusedError("chat.upload_bad", 400, fields.get("id"))
        if part.name != "file":
            raw = await _read_part(part, MAX_TEXT * 4, "chat.upload_bad")
            fields[part.name] = clean_text(raw.decode("utf-8", errors="replace"))
            continue
        try:
            content = await _read_part(part, limit, "chat.upload_too_large")
        except UploadRefusedError as refused:
            refused.client_id = fields.get("id")
            raise
        mime = part.headers.get("Content-Type", "")
        name = clean_text(part.filename or "").strip()[:255]
        file = (name, mime if MIME_RE.match(mime) and len(mime) <= 128 else "", content)
    client_id = fields.get("id", "")
    if not CLIENT_ID.match(client_id):
        raise UploadRefusedError("chat.upload_bad", 400)
    if file is None or not file[0] or not file[2]:
        raise UploadRefusedError("chat.upload_empty", 400, client_id)
    text = fields.get("text", "").strip()
    if len(text) > MAX_TEXT:
        raise UploadRefusedError("chat.upload_bad", 400, client_id)
    name, mime, content = file
    return Upload(
        fields.get("csrf", ""), client_id, text, name, mime or "application/octet-stream", content
    )


async def store_upload(session: AsyncSession, ctx: AppContext, chat_id: str, upload: Upload) -> int:
    """Keep an attached file in the chat's history, as the bot's own documents are kept;
    the row's id (the same row again for a resent upload)."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    document = {
        "name": upload.name,
        "mime": upload.mime,
        "size": len(upload.content),
        "content": upload.content.hex(),
    }
    await session.execute(
        insert(WebMessage)
        .values(
            chat_id=chat_id,
            direction="in",
            client_id=upload.client_id,
            payload={"text": upload.text, "document": document},
            created_at=ctx.now(),
        )
        .on_conflict_do_nothing(index_elements=["chat_id", "client_id"])
    )
    row_id = await session.scalar(
        select(WebMessage.id).where(
            WebMessage.chat_id == chat_id, WebMessage.client_id == upload.client_id
        )
    )
    assert row_id is not None
    return row_id
