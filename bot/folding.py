"""Vietnamese text compared the way people type it: with or without diacritics, any case.

Officials write ``/báocáo`` or ``/baocao``, ``kênh tất cả`` or ``kenh tat ca``, ``Tài chính``
or ``tai chinh``; :func:`fold` maps every spelling to one plain form (Unicode NFD, combining
marks dropped, ``đ`` → ``d``, case folded, runs of white space made one space).
"""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """``Tất  Cả`` → ``tat ca``, ``Đồng ý`` → ``dong y``."""
    decomposed = unicodedata.normalize("NFD", text.casefold().replace("đ", "d"))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())
