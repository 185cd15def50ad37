"""Recommendations and directions on the dashboard: the overview lists the recommendations
awaiting a direction with a form each for leaders; the task page shows them with their
directions and takes a direction on the task. The chat's services: audited, the lead unit
and the person who raised it are told, refusals explained."""

from __future__ import annotations

import re

from sqlalchemy import select

from bot.models import AuditLog, ChannelIdentity, Direction, OutboxMessage, Recommendation
from tests.web.conftest import Web, World


async def _raise(web: Web, world: World, code: str = "NQ-01") -> int:
    async with web.ctx.db.session() as session:
        recommendation = Recommendation(
            task_id=world.tasks[code].id,
            raised_by_id=world.officials["CV-STC-01"].id,
            text="Đề nghị bổ sung kinh phí",
            created_at=web.ctx.now(),
        )
        session.add(recommendation)
        await session.flush()
        return recommendation.id


async def _post(web: Web, path: str, **data: str) -> int:
    response = await web.client.post(
        path, data={"csrf": await web.csrf(), **data}, allow_redirects=False
    )
    return response.status


async def test_a_leader_answers_on_the_overview_and_the_task_page_shows_both(
    web: Web, world: World
) -> None:
    recommendation_id = await _raise(web, world)
    async with web.ctx.db.session() as session:
        session.add(
            ChannelIdentity(
                official_id=world.officials["GD-STC"].id,
                channel="telegram",
                external_user_id="901",
                chat_id="901",
                created_at=web.ctx.now(),
            )
        )
    await web.login("LD-01")
    overview = await (await web.client.get("/")).text()
    assert "Kiến nghị chờ cho ý kiến (1)" in overview
    action = f'action="/recommendations/{recommendation_id}/direction"'
    assert action in overview and "Đề nghị bổ sung kinh phí" in overview

    response = await web.client.post(
        f"/recommendations/{recommendation_id}/direction",
        data={"csrf": await web.csrf(), "text": "Đồng ý, giao Sở Tài chính cân đối.", "back": ""},
        allow_redirects=False,
    )
    assert response.status == 303 and response.headers["Location"] == "/#pending-advice"
    overview = await (await web.client.get("/")).text()
    assert "Kiến nghị chờ cho ý kiến (0)" in overview and action not in overview

    page = await (await web.client.get("/tasks/NQ-01")).text()
    assert "08/12/2025: Nguyễn Thị Hoa kiến nghị:" in page
    assert "08/12/2025: Lê Ngọc Châu chỉ đạo:" in page
    assert "Đồng ý, giao Sở Tài chính cân đối." in page
    assert 'action="/tasks/NQ-01/directions"' in page  # a direction on the task itself
    assert await _post(web, "/tasks/NQ-01/directions", text="Hoàn thành trước 15/12.") == 303
    page = await (await web.client.get("/tasks/NQ-01")).text()
    assert "Hoàn thành trước 15/12." in page

    async with web.ctx.db.session() as session:
        notices = list(
            await session.scalars(
                select(OutboxMessage).where(OutboxMessage.kind == "direction.given")
            )
        )
        actions = list(await session.scalars(select(AuditLog.action)))
    assert [notice.chat_id for notice in notices] == ["901", "901"]  # the unit head, twice
    assert actions.count("direction.give") == 2

    await web.login("CV-STC-01")  # the unit sees the history, no form
    page = await (await web.client.get("/tasks/NQ-01")).text()
    assert "Hoàn thành trước 15/12." in page and "/directions" not in page


async def test_refusals_on_the_web(web: Web, world: World) -> None:
    recommendation_id = await _raise(web, world)
    path = f"/recommendations/{recommendation_id}/direction"
    await web.login("GD-STC")
    assert await _post(web, path, text="Tự trả lời") == 403
    assert await _post(web, "/tasks/NQ-01/directions", text="Chỉ đạo") == 403
    overview = await (await web.client.get("/")).text()
    assert "Kiến nghị chờ cho ý kiến (1)" in overview and "/direction" not in overview
    await web.login("VP-01")  # the office may answer
    assert await _post(web, path, text="   ") == 400
    assert await _post(web, "/recommendations/999/direction", text="Chỉ đạo") == 404
    assert await _post(web, "/tasks/NQ-99/directions", text="Chỉ đạo") == 404
    response = await web.client.post(path, data={"csrf": await web.csrf(), "text": ""})
    assert "Vui lòng ghi nội dung ý kiến chỉ đạo." in await response.text()
    assert await _post(web, path, text="Đồng ý", back="task") == 303
    assert await _post(web, path, text="Lần nữa") == 409
    assert await _post(web, path, csrf="bad", text="x") == 403
    async with web.ctx.db.session() as session:
        directions = list(await session.scalars(select(Direction)))
    assert [d.text for d in directions] == ["Đồng ý"]
    assert re.search(r"Kiến nghị chờ cho ý kiến \(0\)", await (await web.client.get("/")).text())
