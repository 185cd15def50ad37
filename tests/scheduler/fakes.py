"""A recording ChannelSender with fault injection, and a rate limiter on virtual time."""

from __future__ import annotations

import re
from collections import defaultdict, deque
from collections.abc import Sequence
from dataclasses import dataclass

from bot.channel_traits import TELEGRAM, ChannelTraits
from bot.messages import Reply
from bot.sending import SendResult
from scheduler.ratelimit import ChannelRates, RateLimiter


@dataclass(frozen=True)
class Sent:
    chat_id: str
    reply: Reply
    is_group: bool


class RecordingSender:
    """Records every message; ``fail(chat_id, exc, ...)`` makes the next sends to that chat
    raise the given errors, in order. ``before_send`` lets a test act mid-send."""

    def __init__(self, traits: ChannelTraits = TELEGRAM) -> None:
        self.traits = traits
        self.sent: list[Sent] = []
        self.attempts: list[str] = []
        self._faults: dict[str, deque[Exception]] = defaultdict(deque)

    def fail(self, chat_id: str, *errors: Exception) -> None:
        self._faults[chat_id].extend(errors)

    async def send(
        self, chat_id: str, replies: Sequence[Reply], *, is_group: bool = False
    ) -> SendResult:
        self.attempts.append(chat_id)
        faults = self._faults.get(chat_id)
        if faults:
            raise faults.popleft()
        for reply in replies:
            self.sent.append(Sent(chat_id, reply, is_group))
        return SendResult(message_id=str(len(self.sent)))

    def to(self, chat_id: str) -> list[Reply]:
        return [item.reply for item in self.sent if item.chat_id == chat_id]

    def chats(self) -> set[str]:
        return {item.chat_id for item in self.sent}

    def clear(self) -> None:
        self.sent.clear()
        self.attempts.clear()


class VirtualTime:
    """A monotonic clock and a sleep that advances it instantly (no real waiting)."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def virtual_limiter(
    time: VirtualTime | None = None, rates: dict[str, ChannelRates] | None = None
) -> RateLimiter:
    time = time or VirtualTime()
    return RateLimiter(
        rates or {"telegram": ChannelRates(30.0, 1.0, 20 / 60)},
        monotonic=time.monotonic,
        sleep=time.sleep,
    )


HEADERS = {
    "QUÁ HẠN": "overdue",
    "ĐẾN HẠN HÔM NAY": "due_today",
    "SẮP ĐẾN HẠN": "upcoming",
    "CHƯA BÁO CÁO": "stale",
    "ĐỀ NGHỊ GIA HẠN CHỜ QUYẾT ĐỊNH": "extension",
    "YÊU CẦU GIẢI TRÌNH CHƯA TRẢ LỜI": "explanation",
}
_ITEM = re.compile(r"^\d+\. (\S+) ")


def reminder_items(text: str) -> set[tuple[str, str]]:
    """(group, task code) pairs listed in a Vietnamese reminder text."""
    found: set[tuple[str, str]] = set()
    group = None
    for line in text.splitlines():
        header = line.split(" (", 1)[0]
        if header in HEADERS and line.endswith(":"):
            group = HEADERS[header]
            continue
        match = _ITEM.match(line)
        if match and group:
            found.add((group, match[1]))
    return found
