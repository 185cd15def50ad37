"""Ratings from scores (NĐ 335/2025/NĐ-CP bands by default) and the "xuất sắc" cap."""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable
from dataclasses import dataclass

from config.settings import EvaluationPolicy


class Rating(enum.StrEnum):
    """The four ratings, best first."""

    EXCELLENT = "excellent"
    GOOD = "good"
    COMPLETED = "completed"
    NOT_COMPLETED = "not_completed"


def rate(score: float, policy: EvaluationPolicy) -> Rating:
    """The rating of the highest band whose minimum the score reaches."""
    for band in policy.bands:
        if score >= band.min_score:
            return Rating(band.rating)
    return Rating(policy.bands[-1].rating)


@dataclass(frozen=True)
class ExcellentCap:
    """How many of those rated were computed "xuất sắc" against how many the cap allows."""

    rated: int
    excellent: int
    allowed: int
    cap_percent: float

    @property
    def exceeded(self) -> bool:
        return self.excellent > self.allowed


def excellent_cap(ratings: Iterable[Rating | None], policy: EvaluationPolicy) -> ExcellentCap:
    """Check the computed list against the cap (default 20 % of those rated, rounded down)."""
    given = [r for r in ratings if r is not None]
    allowed = math.floor(len(given) * policy.excellent_cap_percent / 100 + 1e-9)
    return ExcellentCap(
        rated=len(given),
        excellent=sum(1 for r in given if r is Rating.EXCELLENT),
        allowed=allowed,
        cap_percent=policy.excellent_cap_percent,
    )
