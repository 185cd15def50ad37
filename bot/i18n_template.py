"""The Babel extraction method behind ``make i18n``: the template (``bot/locale/dondoc.pot``)
is made from the Vietnamese catalog, the source language, rather than from the code.

Code asks for messages by symbolic id, often built at run time (``f"status.{status.value}"``), so
scanning the code cannot list them; ``vi/LC_MESSAGES/dondoc.po`` can. Each template entry keeps
the message's context and id, with its Vietnamese text as a comment for translators.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any

from babel.messages.pofile import read_po


def extract_source_catalog(
    fileobj: IO[bytes],
    keywords: Collection[str],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[tuple[int, str, tuple[str, str], list[str]]]:
    """Babel extraction method (``babel.cfg``); messages come out as ``pgettext`` calls."""
    for message in read_po(fileobj):
        if message.id:
            lineno = message.lineno or 0
            context = message.context or ""
            yield lineno, "pgettext", (context, str(message.id)), str(message.string).split("\n")
