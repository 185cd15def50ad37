"""Text from outside (chat messages, web-chat frames, imported cells) made safe to keep.

Two kinds of characters break things further down the line: C0 control characters (NUL is
refused by PostgreSQL text columns, others by the XML inside an Excel export) and lone UTF-16
surrogates (which no UTF-8 encoder accepts). :func:`clean_text` is applied at every boundary
where such text enters Dondoc.
"""

from __future__ import annotations

import re

_C0_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f]")
"""Every C0 control character except tab (\\x09) and newline (\\x0a)."""
_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")
REPLACEMENT = "\ufffd"


def clean_text(s: str) -> str:
    """``s`` without C0 controls other than tab and newline (a CR-LF pair becomes one
    newline, a lone CR a newline), and with each lone surrogate replaced by U+FFFD."""
    s = s.replace("\r\n", "\n").replace("\r", "\n")
    s = _C0_CONTROLS.sub("", s)
    return _LONE_SURROGATE.sub(REPLACEMENT, s)
