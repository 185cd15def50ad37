"""Vietnamese phone numbers in one canonical form, so a number typed into an import
workbook (``0912 345 678``, ``0912.345.678``) matches the one Telegram shares
(``84912345678`` or ``+84912345678``)."""

from __future__ import annotations

import re

SEPARATORS = re.compile(r"[\s.\-()]")
COUNTRY_CODE = "84"
NATIONAL_LENGTHS = (9, 10)
"""Digits after the leading 0 (or the country code): 9 for mobiles (09x, 03x…), 10 for
landlines with a three-digit area code (02xx)."""


def canonical_phone(text: str) -> str | None:
    """``+84`` and the national number without its leading 0 (``+84912345678``), or None
    when ``text`` is not a Vietnamese phone number. Accepts ``0…``, ``84…``, ``+84…`` and
    ``0084…`` (a 0 kept after the country code is dropped), with spaces, dots, dashes or
    brackets between the digits."""
    compact = SEPARATORS.sub("", text.strip())
    if compact.startswith("+"):
        compact = compact[1:]
        if not compact.startswith(COUNTRY_CODE):
            return None
    if not compact.isascii() or not compact.isdigit():
        return None
    if compact.startswith("00" + COUNTRY_CODE):
        national = compact[4:].removeprefix("0")
    elif compact.startswith(COUNTRY_CODE + "0"):  # "+84 (0) 912…": the 0 written anyway
        national = compact[3:]
    elif compact.startswith(COUNTRY_CODE) and len(compact) - 2 in NATIONAL_LENGTHS:
        national = compact[2:]
    elif compact.startswith("0"):
        national = compact[1:]
    else:
        return None
    if len(national) not in NATIONAL_LENGTHS or national.startswith("0"):
        return None
    return f"+{COUNTRY_CODE}{national}"
