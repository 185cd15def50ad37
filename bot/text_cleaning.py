"""One rule for text that enters Dondoc from outside (chat messages, imported files).

Control characters other than tab and newline break the Excel export (openpyxl refuses them),
a NUL is refused by PostgreSQL, and a lone surrogate cannot be encoded as UTF-8 at all: each
would make one stored note break a whole city's report. Cleaning at every boundary keeps all
the readable text and drops only what no document can hold.
"""

from __future__ import annotations

import re

_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f]")
"""C0 controls except tab (0x09) and newline (0x0A)."""
_SURROGATES = re.compile(r"[\ud800-\udfff]")


def clean_text(s: str) -> str:
    """``s`` with ``\\r\\n`` as ``\\n``, lone surrogates as U+FFFD, and every other C0 control
    character (NUL and a lone ``\\r`` included) removed; tab and newline are kept."""
    text = s.replace("\r\n", "\n")
    text = _CONTROLS.sub("", text)
    return _SURROGATES.sub("\ufffd", text)
