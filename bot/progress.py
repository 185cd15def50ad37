"""Progress rules: 0–100, done at 100 with a completion date, no silent rollback."""

from __future__ import annotations

from dataclasses import dataclass


class ProgressError(ValueError):
    """A progress value that the rules refuse; ``code`` selects the chat message."""

    def __init__(self, code: str, /, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class ProgressChange:
    old: int
    new: int
    completes: bool


def check_progress(value: int) -> int:
    if not 0 <= value <= 100:
        raise ProgressError("progress_out_of_range", value=value)
    return value


def plan_progress(current: int, completed: bool, new: int) -> ProgressChange:
    """Decide what a report of ``new`` percent does to a task at ``current`` percent.

    A completed task keeps its completion: a report below 100 on a done task is refused
    rather than silently rolling it back.
    """
    check_progress(new)
    if completed and new < 100:
        raise ProgressError("task_already_done", current=current, new=new)
    return ProgressChange(old=current, new=new, completes=new == 100 and not completed)
