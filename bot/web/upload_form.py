"""Receiving a file from a browser form (``multipart/form-data``) without holding it in memory.

The body is streamed to a file in a folder of the caller's, and reading stops as soon as the
file passes its size limit, so a too big upload costs neither memory nor disk beyond the
limit (aiohttp discards the rest). The small text fields of the form (the CSRF token, the
pressed button) are kept as text.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath

from aiohttp import BodyPartReader, web

CHUNK = 64 * 1024
MAX_FIELD_BYTES = 4096
"""A text field of these forms is a token or a button's value: a few dozen bytes."""
UNSAFE_NAME = re.compile(r"[^\w.\- ()\[\]]+")


class UploadRefused(Exception):
    """The body is not a form this page sends (not multipart, or an oversized text field);
    ``fields`` holds the text fields read before (the CSRF token, to tell a stale or forged
    form from a broken one)."""

    def __init__(self, reason: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(reason)
        self.fields = fields or {}


@dataclass
class Upload:
    """What a multipart form sent: its text fields and at most one file."""

    fields: dict[str, str] = field(default_factory=dict)
    path: Path | None = None
    """Where the file was saved, under its (cleaned) name; None when no file was chosen."""
    too_big: bool = False
    """The file passed the limit; reading stopped there and ``path`` holds no whole file."""

    @property
    def name(self) -> str:
        return self.path.name if self.path else ""


def safe_name(filename: str) -> str:
    """The last part of a browser's file name, without characters a path cannot hold."""
    base = PureWindowsPath(PurePosixPath(filename).name).name
    cleaned = UNSAFE_NAME.sub("_", base).strip(" .")
    return cleaned[:120] or "upload"


async def receive_upload(request: web.Request, folder: Path, max_bytes: int) -> Upload:
    """Stream the form's parts: text fields into ``fields``, the file into ``folder``.

    Raises :class:`UploadRefused` for a body that is not ``multipart/form-data``, a broken
    one, or a text field larger than :data:`MAX_FIELD_BYTES`.
    """
    if request.content_type != "multipart/form-data":
        raise UploadRefused(request.content_type)
    upload = Upload()
    try:
        await _read_parts(request, upload, folder, max_bytes)
    except ValueError as exc:  # aiohttp's word for a broken multipart body
        raise UploadRefused(str(exc), upload.fields) from exc
    return upload


async def _read_parts(request: web.Request, upload: Upload, folder: Path, max_bytes: int) -> None:
    reader = await request.multipart()
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader):
            raise UploadRefused("nested multipart", upload.fields)
        name = part.name or ""
        if part.filename is None:
            text = await _text(part)
            if text is None:
                raise UploadRefused(f"field {name!r} too large", upload.fields)
            upload.fields[name] = text
            continue
        if upload.path is not None or not part.filename:
            await part.release()  # a second file, or the empty part of no file chosen
            continue
        upload.path = folder / safe_name(part.filename)
        if not await _save(part, upload.path, max_bytes):
            upload.too_big = True
            return


async def _text(part: BodyPartReader) -> str | None:
    """A text field's value; None when it is longer than :data:`MAX_FIELD_BYTES`."""
    data = bytearray()
    while chunk := await part.read_chunk(CHUNK):
        data.extend(chunk)
        if len(data) > MAX_FIELD_BYTES:
            return None
    return data.decode(part.get_charset("utf-8"), errors="replace")


async def _save(part: BodyPartReader, path: Path, max_bytes: int) -> bool:
    """Write the part to ``path``; False (and stop reading) once it passes ``max_bytes``."""
    written = 0
    out = await asyncio.to_thread(path.open, "wb")
    try:
        while chunk := await part.read_chunk(CHUNK):
            written += len(chunk)
            if written > max_bytes:
                return False
            await asyncio.to_thread(out.write, chunk)
    finally:
        await asyncio.to_thread(out.close)
    return True
