"""The digest's "Kiến nghị chờ cho ý kiến" section: each task once with its oldest waiting
recommendation (and how many wait), answered ones gone, scoped like the rest of the digest
(a unit's digest, a leader's own tasks), capped like every list."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bot.context import AppContext
from bot.digest import MAX_DIGEST_CHARS, render_digest
from bot.models import Recommendation, Role, Task
from bot.services.summary import build_summary
from tests.scheduler.builders import World
from tests.scheduler.test_digest_text import _city


async def _recommendations(ctx: AppContext) -> int:
    """Three waiting on NV-01 and NV-05 (two on NV-05), one answered on NV-03; NV-05's leader
    in charge is the returned leader's id."""
    await _city(ctx)
    async with ctx.db.session() as session:
        world = World(session, ctx)
        leader = await world.official("LD-01", None, Role.LEADER, name="Lê Ngọc Châu", channels=())
        raiser = await world.official("CV-09", None, name="Phạm Văn Bình", channels=())
        tasks = {task.code: task for task in await session.scalars(select(Task))}
        tasks["NV-05"].leader_in_charge_id = leader.id
        now = ctx.now()
        for code, days_ago, text, answered in (
            ("NV-05", 3, "Đề nghị bố trí vốn chuẩn bị đầu tư", False),
            ("NV-01", 2, "Đề nghị cho ý kiến về phương án quyết toán", False),
            ("NV-05", 1, "Đề nghị giao Sở Tài chính phối hợp", False),
            ("NV-03", 5, "Đề nghị đã được trả lời", True),
        ):
            session.add(
                Recommendation(
                    task_id=tasks[code].id,
                    raised_by_id=raiser.id,
                    text=text,
                    created_at=now - dt.timedelta(days=days_ago),
                    answered_at=now if answered else None,
                )
            )
        return leader.id


async def test_waiting_recommendations_each_task_once_oldest_first(ctx: AppContext) -> None:
    leader_id = await _recommendations(ctx)
    async with ctx.db.session() as session:
        city = await build_summary(session, ctx)
        building_id = await session.scalar(select(Task.lead_unit_id).where(Task.code == "NV-05"))
        building = await build_summary(session, ctx, unit_id=building_id)
        mine = await build_summary(session, ctx, leader_id=leader_id)

    lines = render_digest(city, "vi", scope_name="Toàn thành phố").splitlines()
    start = lines.index("Kiến nghị chờ cho ý kiến (3):")
    assert lines[start + 1 : start + 3] == [
        "- NV-05 Quy hoạch chung thành phố (Sở Xây dựng), 2 kiến nghị từ 05/12/2025: Đề nghị "
        "bố trí vốn chuẩn bị đầu tư",
        "- NV-01 Báo cáo quyết toán (Sở Tài chính), 06/12/2025: Đề nghị cho ý kiến về phương "
        "án quyết toán",
    ]
    assert "NV-03" not in "\n".join(lines[start:])  # its recommendation was answered
    assert city.pending_advice.tasks == 2

    unit_text = render_digest(building, "vi", scope_name="Sở Xây dựng")
    assert "Kiến nghị chờ cho ý kiến (2):" in unit_text and "NV-01" not in unit_text
    assert [item.task.code for item in mine.pending_advice.items] == ["NV-05"]
    english = render_digest(city, "en", scope_name="City")
    assert "Recommendations awaiting direction (3):" in english
    assert "NV-05 Quy hoạch chung thành phố (Sở Xây dựng), 2 recommendations since" in english


async def test_the_section_is_capped_with_a_count_of_the_rest(ctx: AppContext) -> None:
    await _recommendations(ctx)
    async with ctx.db.session() as session:
        summary = await build_summary(session, ctx, limit=1)
    text = render_digest(summary, "vi", scope_name="Toàn thành phố")
    assert len(text) <= MAX_DIGEST_CHARS
    lines = text.splitlines()
    start = lines.index("Kiến nghị chờ cho ý kiến (3):")
    assert lines[start + 1].startswith("- NV-05 ")
    assert lines[start + 2] == "… và 1 nhiệm vụ khác có kiến nghị (gõ /chidao để xem)."
