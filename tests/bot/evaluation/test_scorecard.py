"""Scorecards, ratings and rankings on the hand-checked Tết 2026 data set (tests/.../dataset.py)."""

from __future__ import annotations

import pytest

from bot.clock import FrozenClock
from bot.context import AppContext
from bot.evaluation.periods import parse_period
from bot.evaluation.ranking import evaluate
from bot.evaluation.rating import Rating
from bot.evaluation.scorecard import compute_scorecards
from bot.models import UnitKind
from bot.status import Status
from config.settings import EvaluationPolicy
from tests.bot.evaluation import dataset


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(dataset.NOW)


async def test_scorecard_of_a_department_counts_every_rule(ctx: AppContext) -> None:
    async with ctx.db.session() as session:
        units = await dataset.load(session, ctx)
        await session.commit()
    async with ctx.db.session() as session:
        cards = await compute_scorecards(session, ctx, dataset.PERIOD)
    card = cards[units["tc"].id]
    assert [card.counts[s] for s in Status] == [3, 1, 2, 1]
    assert card.total == 7
    assert card.with_deadline == 5
    assert card.done_without_deadline == 1
    assert card.days_late == 7
    assert card.late_reports == 2
    assert (card.extensions, card.extended_tasks, card.extension_share) == (1, 1, 14.29)
    assert card.on_time_rate == 42.86
    assert card.overdue_rate == 14.29
    assert card.score == 42.86
    assert card.rating is Rating.NOT_COMPLETED
    assert card.head_name == "Trần Văn Hùng"


async def test_units_without_tasks_are_not_rated_and_communes_get_their_bands(
    ctx: AppContext,
) -> None:
    async with ctx.db.session() as session:
        units = await dataset.load(session, ctx)
        cards = await compute_scorecards(session, ctx, dataset.PERIOD)
    lechan, vinhbao, ban = cards[units["lc"].id], cards[units["vb"].id], cards[units["bdt"].id]
    assert (lechan.total, lechan.done_without_deadline, lechan.score) == (3, 1, 100.0)
    assert lechan.rating is Rating.EXCELLENT
    assert (vinhbao.total, vinhbao.days_late, vinhbao.score) == (2, 7, 50.0)
    assert vinhbao.rating is Rating.COMPLETED
    assert (ban.total, ban.score, ban.rating) == (0, None, None)


async def test_deductions_and_bands_come_from_the_settings(ctx: AppContext) -> None:
    ctx.settings.evaluation = EvaluationPolicy(
        deduction_per_overdue=5,
        deduction_per_late_report=2,
        bands=[
            {"min_score": 40, "rating": "good"},  # type: ignore[list-item]
            {"min_score": 0, "rating": "not_completed"},  # type: ignore[list-item]
        ],
    )
    async with ctx.db.session() as session:
        units = await dataset.load(session, ctx)
        cards = await compute_scorecards(session, ctx, dataset.PERIOD)
    # 300/7 − 5 × 1 overdue − 2 × 2 late reports
    assert cards[units["tc"].id].score == 33.86
    assert cards[units["tc"].id].rating is Rating.NOT_COMPLETED
    # 50 − 5 × 1 overdue − 2 × 1 late report (D1, never reported)
    assert cards[units["vb"].id].score == 43.0
    assert cards[units["vb"].id].rating is Rating.GOOD


async def test_rankings_keep_departments_and_communes_apart_with_the_change(
    ctx: AppContext,
) -> None:
    async with ctx.db.session() as session:
        units = await dataset.load(session, ctx)
        evaluation = await evaluate(session, ctx, dataset.PERIOD, "Toàn thành phố")
    communes = evaluation.rankings[UnitKind.COMMUNE]
    assert [(r.position, r.card.code, r.previous_position, r.change) for r in communes.rows] == [
        (1, "P-LECHAN", 2, 1),
        (2, "X-VINHBAO", 1, -1),
    ]
    assert (communes.cap.rated, communes.cap.excellent, communes.cap.allowed) == (2, 1, 0)
    assert communes.cap.exceeded
    departments = evaluation.rankings[UnitKind.DEPARTMENT]
    assert [(r.position, r.card.code, r.change) for r in departments.rows] == [(1, "SO-TC", None)]
    assert not departments.cap.exceeded
    assert evaluation.total.total == 12
    assert evaluation.total.counts[Status.DONE_ON_TIME] == 7
    assert evaluation.total.score == 58.33
    card = evaluation.card_of_head(units["tc"].head_id or 0)
    assert card is not None and card.code == "SO-TC"


async def test_a_task_completed_after_the_period_is_overdue_in_it_and_done_late_now(
    ctx: AppContext,
) -> None:
    async with ctx.db.session() as session:
        units = await dataset.load(session, ctx)
        earlier = await compute_scorecards(session, ctx, dataset.PERIOD, [units["tc"].id])
        february = await compute_scorecards(session, ctx, parse_period("2026-02"), [units["tc"].id])
    assert earlier[units["tc"].id].counts[Status.OVERDUE] == 1
    # February is over on 02/03: A2 (done 19/02) is done late; A4 and A8 (due 19/02) are
    # overdue on 28/02; A7's report of 10/02 is within 30 days of 28/02, so it does not count.
    card = february[units["tc"].id]
    assert [card.counts[s] for s in Status] == [3, 2, 1, 2]
    assert card.days_late == 7 + 1 + 10 + 9


async def test_open_and_late_explanation_requests_are_counted_per_unit(ctx: AppContext) -> None:
    async with ctx.db.session() as session:
        units = await dataset.load(session, ctx)
        before = await compute_scorecards(session, ctx, dataset.PERIOD)
        await dataset.add_explanations(session, ctx)
        cards = await compute_scorecards(session, ctx, dataset.PERIOD)
        evaluation = await evaluate(session, ctx, dataset.PERIOD, "Toàn thành phố")
    assert before[units["tc"].id].open_explanations == 0
    counted = {
        key: (cards[unit.id].open_explanations, cards[unit.id].late_explanations)
        for key, unit in units.items()
    }
    # open at the end: A2 (past its date) and D1 (answered only after the end, within its
    # date); late: A2 and B0 (answered in the period after its date); A3 in time; A1 after
    assert counted == {"tc": (1, 1), "vb": (1, 0), "lc": (0, 1), "bdt": (0, 0)}
    assert (evaluation.total.open_explanations, evaluation.total.late_explanations) == (2, 2)
    assert cards[units["tc"].id].score == before[units["tc"].id].score  # shown, not deducted
