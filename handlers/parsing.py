"""Pure parsers for what officials type: report lines, percentages and dates.

They never raise anything but :class:`ParseError` (whose ``code`` selects a chat message,
``parse.<code>`` in :mod:`handlers.texts`), whatever Unicode they are given.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from bot.folding import fold

TASK_CODE = r"[A-Za-z][A-Za-z0-9]{0,15}(?:[-_][A-Za-z0-9]{1,16}){1,4}"
"""Task codes as the secretariat writes them: NQ-01, NV-12, QH-2050, KH-DTC-2026."""

_CODE_RE = re.compile(rf"(?:{TASK_CODE})")
_PERCENT_RE = re.compile(r"([0-9]{1,3})\s*%?")
_REPORT_RE = re.compile(
    rf"""^\s*(?P<code>{TASK_CODE})(?![A-Za-z0-9])
        (?:\s*[:,;]\s*|\s+(?:[–—-]\s+)?)
        (?P<percent>[0-9]{{1,3}})(?![0-9])(?![.,][0-9])\s*(?P<sign>%?)
        (?:(?<=%)|(?=[\s,.;:–—-])|$)
        \s*[,.;:–—-]?\s*
        (?P<note>.*?)\s*$""",
    re.VERBOSE | re.DOTALL,
)
_MARKS = "[\u0300-\u036f]*"
_RECOMMENDATION_RE = re.compile(
    rf"\|\s*(?:k{_MARKS}i{_MARKS}e{_MARKS}n{_MARKS}\s*n{_MARKS}g{_MARKS}h{_MARKS}i{_MARKS}"
    r"|recommendations?)\s*:",
    re.IGNORECASE,
)
"""``| kiến nghị:`` (folded: ``| kien nghi:``) or ``| recommendation:`` before a
recommendation at the end of a report line."""
_NO_RECOMMENDATION = frozenset({"khong", "khong co", "no", "none", "-"})
_DATE_FORMATS = (
    re.compile(r"^(?P<d>[0-9]{1,2})(?P<sep>[/.-])(?P<m>[0-9]{1,2})(?P=sep)(?P<y>[0-9]{4})$"),
    re.compile(r"^(?P<y>[0-9]{4})-(?P<m>[0-9]{1,2})-(?P<d>[0-9]{1,2})$"),
)


class ParseError(ValueError):
    """Input that cannot be understood; ``code`` and ``params`` make the chat message."""

    def __init__(self, code: str, /, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class ParsedReport:
    """A one-line report: ``NV-01 60% Đã trình dự thảo``. ``percent`` is as typed (0–999);
    the progress rules decide whether it is acceptable."""

    code: str
    percent: int
    note: str


def command_key(text: str) -> str:
    """The form a command name is looked up in: folded, without spaces and underscores, so
    ``/báocáo``, ``/bao_cao``, ``/BAOCAO`` and ``báo cáo`` all name ``baocao``."""
    return "".join(ch for ch in fold(text) if ch not in " _")


def is_task_code(text: str) -> bool:
    return _CODE_RE.fullmatch(text.strip()) is not None and any(ch.isdigit() for ch in text)


def parse_report_line(text: str) -> ParsedReport | None:
    """A report typed on one line, or None when the text does not look like one.

    Accepts ``NV-01 60 note``, ``NV-01 60% note``, ``nv-01: 60 %, note``; the note may be
    empty and may be in any language.
    """
    match = _REPORT_RE.match(text)
    if match is None:
        return None
    code = match["code"]
    if not any(ch.isdigit() for ch in code):
        return None
    return ParsedReport(
        code=code.upper(), percent=int(match["percent"]), note=match["note"].strip()
    )


def split_recommendation(note: str) -> tuple[str, str | None]:
    """A report's note and the recommendation after ``| kiến nghị:`` (with or without
    diacritics, any case, or English ``| recommendation:``); ``(note, None)`` without one.

    ``Đã họp các sở | kiến nghị: đề nghị bổ sung kinh phí`` →
    ``("Đã họp các sở", "đề nghị bổ sung kinh phí")``.
    """
    decomposed = unicodedata.normalize("NFD", note)
    match = _RECOMMENDATION_RE.search(decomposed)
    if match is None:
        return note.strip(), None
    before, after = decomposed[: match.start()], decomposed[match.end() :]
    return unicodedata.normalize("NFC", before).strip(), unicodedata.normalize("NFC", after).strip()


def is_no_recommendation(text: str) -> bool:
    """A typed "no" to the question whether there is a recommendation (``không``, ``no``)."""
    return fold(text).rstrip(".!") in _NO_RECOMMENDATION


def parse_percent(text: str) -> int:
    """``60``, ``60%``, `` 60 % `` → 60. Raises ParseError ``percent_invalid`` when it is not a
    whole number and ``percent_range`` when it is outside 0–100."""
    cleaned = text.strip()
    match = _PERCENT_RE.fullmatch(cleaned)
    if match is None:
        raise ParseError("percent_invalid", text=_shown(cleaned))
    value = int(match[1])
    if value > 100:
        raise ParseError("percent_range", value=value)
    return value


def parse_date(text: str) -> dt.date:
    """dd/mm/yyyy, d/m/yyyy, dd-mm-yyyy, dd.mm.yyyy or yyyy-mm-dd. Raises ParseError
    ``date_format`` for anything else and ``date_impossible`` for days that do not exist
    (31/02/2026)."""
    cleaned = text.strip()
    for pattern in _DATE_FORMATS:
        match = pattern.fullmatch(cleaned)
        if match is None:
            continue
        try:
            return dt.date(int(match["y"]), int(match["m"]), int(match["d"]))
        except ValueError:
            raise ParseError("date_impossible", text=cleaned) from None
    raise ParseError("date_format", text=_shown(cleaned))


def _shown(text: str, limit: int = 40) -> str:
    """User text echoed back in an error message: one line, bounded, braces kept literal."""
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"
