"""What the page templates show, prepared from the data: links, shares, categories.

Pure data preparation; all markup is in ``bot/web/templates``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote, urlencode, urlparse

from bot.context import AppContext
from bot.models import Official, Task
from bot.services.directory import manages_officials, may_import
from bot.services.summary import task_status
from bot.services.task_admin import can_create
from bot.status import STATUS_ORDER, Status
from bot.status import Warning as TaskWarning


@dataclass(frozen=True)
class SignedIn:
    """Who is logged in, for the navigation's name, export and logout forms."""

    official: Official
    csrf: str

    @property
    def may_create_tasks(self) -> bool:
        """Whether the navigation offers "Thêm nhiệm vụ"."""
        return can_create(self.official)

    @property
    def imports(self) -> bool:
        """The navigation links to the import page."""
        return may_import(self.official)

    @property
    def officials(self) -> bool:
        """The navigation links to the officials pages."""
        return manages_officials(self.official)


@dataclass(frozen=True)
class FigureCard:
    """One official category: its count, its share of all tasks and of those with a deadline
    (None when no task has one)."""

    status: Status
    count: int
    of_total: str
    of_deadline: str | None


@dataclass(frozen=True)
class Figures:
    """The figure cards of the overview and unit pages."""

    total: int
    with_deadline: int
    cards: list[FigureCard]
    done_without_deadline: int


@dataclass(frozen=True)
class TaskState:
    """A task's category (as the chat and the digests count it) and its warnings."""

    status: Status
    warnings: list[TaskWarning]


def path_part(value: str) -> str:
    """A value quoted for use as one URL path segment."""
    return quote(value, safe="")


def task_url(code: str) -> str:
    return f"/tasks/{path_part(code)}"


def unit_url(code: str) -> str:
    return f"/units/{path_part(code)}"


def task_list_url(params: Mapping[str, str] | None = None, /, **more: object) -> str:
    """``/tasks`` with the filters ``params`` and ``more`` (empty values and page 1 left out)."""
    merged = {**(params or {}), **{key: str(value) for key, value in more.items()}}
    if merged.get("page") == "1":
        del merged["page"]
    query = urlencode({key: value for key, value in merged.items() if value})
    return f"/tasks?{query}" if query else "/tasks"


@dataclass(frozen=True)
class Pager:
    """Which slice of ``total`` rows a page shows; a page past the end shows the last."""

    total: int
    page: int
    size: int

    @property
    def last(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def current(self) -> int:
        return min(self.page, self.last)

    @property
    def first(self) -> int:
        """Index of the page's first row."""
        return (self.current - 1) * self.size

    def window(self, around: int = 3) -> list[int]:
        """Page numbers to link: the first, the last and those near the current one."""
        near = range(max(1, self.current - around), min(self.last, self.current + around) + 1)
        return sorted({1, self.last, *near})


def safe_link(url: str | None) -> str | None:
    """The URL if it is a plain http(s) or site-relative link (never ``javascript:``)."""
    if not url:
        return None
    if url.startswith("/") and not url.startswith("//"):
        return url
    parsed = urlparse(url)
    return url if parsed.scheme in ("http", "https") and parsed.netloc else None


def percent(part: int, whole: int) -> str:
    if not whole:
        return "0%"
    return f"{100 * part / whole:.1f}%".replace(".", ",")


def figures(counts: Mapping[Status, int], deadline_counts: Mapping[Status, int]) -> Figures:
    total = sum(counts.get(s, 0) for s in STATUS_ORDER)
    with_deadline = sum(deadline_counts.get(s, 0) for s in STATUS_ORDER)
    cards = [
        FigureCard(
            status=status,
            count=counts.get(status, 0),
            of_total=percent(counts.get(status, 0), total),
            of_deadline=percent(deadline_counts.get(status, 0), with_deadline)
            if with_deadline
            else None,
        )
        for status in STATUS_ORDER
    ]
    done_without = counts.get(Status.DONE_ON_TIME, 0) - deadline_counts.get(Status.DONE_ON_TIME, 0)
    return Figures(total, with_deadline, cards, done_without)


def task_state(task: Task, ctx: AppContext) -> TaskState:
    info = task_status(ctx, task)
    return TaskState(info.status, sorted(info.warnings))
