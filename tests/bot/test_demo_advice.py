"""The demo's recommendations: one awaiting its leader's direction (it shows in the digest),
one answered by the leader in charge; both came with the lead unit's latest report."""

from __future__ import annotations

from sqlalchemy import select

from bot.context import AppContext
from bot.demo import load_demo
from bot.models import Direction, Recommendation, Report
from bot.services.recommendations import LOADED
from bot.services.summary import build_summary


async def test_demo_has_a_waiting_and_an_answered_recommendation(ctx: AppContext) -> None:
    summary = await load_demo(ctx)
    async with ctx.db.session() as session:
        recommendations = list(
            await session.scalars(
                select(Recommendation).options(*LOADED).order_by(Recommendation.id)
            )
        )
        reports = {
            item.id: item
            for item in await session.scalars(
                select(Report).where(Report.id.in_([r.report_id for r in recommendations]))
            )
        }
        [direction] = list(await session.scalars(select(Direction)))
        digest = await build_summary(session, ctx)
    assert summary.recommendations == len(recommendations) == 2
    waiting, answered = recommendations
    assert waiting.answered_at is None and answered.answered_at is not None
    assert direction.recommendation_id == answered.id
    assert direction.leader_id == answered.task.leader_in_charge_id
    for item in recommendations:
        report = reports[item.report_id or 0]
        assert report.task_id == item.task_id and report.official_id == item.raised_by_id
        assert item.raised_by.unit_id == item.task.lead_unit_id
        assert item.task.completed_at is None
    assert digest.pending_advice.recommendations == 1
    assert [entry.task.code for entry in digest.pending_advice.items] == [waiting.task.code]
