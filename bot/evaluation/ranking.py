"""Rankings of units by score, departments and communes apart as the city reports them, with
the change against the previous period; and the whole evaluation of one period."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import AppContext
from bot.evaluation.periods import Period
from bot.evaluation.rating import ExcellentCap, excellent_cap
from bot.evaluation.scorecard import Scorecard, city_card, compute_scorecards
from bot.models import UnitKind
from bot.status import Status


@dataclass(frozen=True)
class RankedUnit:
    position: int
    card: Scorecard
    previous_position: int | None

    @property
    def change(self) -> int | None:
        """Places gained since the previous period (negative: places lost)."""
        if self.previous_position is None:
            return None
        return self.previous_position - self.position


@dataclass(frozen=True)
class Ranking:
    kind: UnitKind
    rows: list[RankedUnit]
    cap: ExcellentCap


def _order(card: Scorecard) -> tuple[float, int, str]:
    return (-(card.score or 0.0), card.counts[Status.OVERDUE], card.code)


def positions(cards: list[Scorecard]) -> dict[str, int]:
    """Place of each rated unit by score, by unit code (ties share a place: 1, 2, 2, 4)."""
    rated = sorted((c for c in cards if c.score is not None), key=_order)
    places: dict[str, int] = {}
    last_score, last_place = None, 0
    for index, card in enumerate(rated, start=1):
        if card.score != last_score:
            last_score, last_place = card.score, index
        places[card.code] = last_place
    return places


def rank(
    kind: UnitKind, cards: list[Scorecard], before: list[Scorecard], ctx: AppContext
) -> Ranking:
    """Rated units of one kind, best first, each with its place in the previous period."""
    now_places = positions(cards)
    before_places = positions(before)
    by_code = {card.code: card for card in cards}
    rows = [
        RankedUnit(place, by_code[code], before_places.get(code))
        for code, place in sorted(now_places.items(), key=lambda item: _order(by_code[item[0]]))
    ]
    cap = excellent_cap((row.card.rating for row in rows), ctx.settings.evaluation)
    return Ranking(kind, rows, cap)


@dataclass(frozen=True)
class Evaluation:
    """Everything a report says about one period: cards, totals, rankings."""

    period: Period
    as_of: dt.date
    cards: dict[int, Scorecard]
    previous: dict[int, Scorecard]
    total: Scorecard
    rankings: dict[UnitKind, Ranking]

    def card_of_head(self, official_id: int) -> Scorecard | None:
        """The scorecard a head of unit is evaluated by: the unit they head."""
        return next((c for c in self.cards.values() if c.head_id == official_id), None)


async def evaluate(
    session: AsyncSession, ctx: AppContext, period: Period, total_name: str
) -> Evaluation:
    """Scorecards of every unit for ``period`` and the previous period, and the rankings."""
    cards = await compute_scorecards(session, ctx, period)
    previous = await compute_scorecards(session, ctx, period.previous())
    rankings = {}
    for kind in UnitKind:
        now_kind = [c for c in cards.values() if c.kind is kind]
        if any(c.score is not None for c in now_kind):
            before_kind = [c for c in previous.values() if c.kind is kind]
            rankings[kind] = rank(kind, now_kind, before_kind, ctx)
    total = city_card(list(cards.values()), ctx.settings.evaluation, total_name)
    return Evaluation(
        period=period,
        as_of=period.as_of(ctx.today()),
        cards=cards,
        previous=previous,
        total=total,
        rankings=rankings,
    )
