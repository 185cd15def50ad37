"""People in charge on the dashboard: the task page names the handler and the leader in
charge with their job titles, overview lists name the handler, and a leader switches the
overview between "Của tôi" (the tasks they are in charge of) and the whole city."""

from __future__ import annotations

import re

from sqlalchemy import update

from bot.models import Official, Task
from tests.web.conftest import Web, World


def figures(page: str) -> dict[str, int]:
    return {key: int(value) for key, value in re.findall(r'data-status="(\w+)">(\d+)<', page)}


async def put_in_charge(web: Web, world: World) -> None:
    """Châu, Phó Chủ tịch, is in charge of NV-02 and NV-06; Hoa handles NV-02."""
    leader, hoa = world.officials["LD-01"], world.officials["CV-STC-01"]
    async with web.ctx.db.session() as session:
        await session.execute(
            update(Official)
            .where(Official.id == leader.id)
            .values(title="Phó Chủ tịch UBND thành phố")
        )
        await session.execute(
            update(Official).where(Official.id == hoa.id).values(title="Chuyên viên")
        )
        await session.execute(
            update(Task)
            .where(Task.code.in_(("NV-02", "NV-06")))
            .values(leader_in_charge_id=leader.id)
        )
        await session.execute(update(Task).where(Task.code == "NV-02").values(handler_id=hoa.id))


async def test_the_task_page_names_the_people_in_charge_with_their_titles(
    web: Web, world: World
) -> None:
    await put_in_charge(web, world)
    await web.login("GD-STC")
    page = await (await web.client.get("/tasks/NV-02")).text()
    assert "<dt>Cán bộ thụ lý</dt><dd>Nguyễn Thị Hoa, Chuyên viên</dd>" in page
    assert "<dt>Lãnh đạo phụ trách</dt><dd>Lê Ngọc Châu, Phó Chủ tịch UBND thành phố</dd>" in page
    other = await (await web.client.get("/tasks/NQ-01")).text()
    assert "<dt>Cán bộ thụ lý</dt><dd>—</dd>" in other


async def test_a_leader_switches_between_their_tasks_and_the_whole_city(
    web: Web, world: World
) -> None:
    await put_in_charge(web, world)
    await web.login("LD-01")

    city = await (await web.client.get("/")).text()
    assert figures(city)["total"] == 7
    assert '<a href="/?scope=all" aria-current="page">Toàn thành phố</a>' in city
    assert '<a href="/?scope=mine">Của tôi</a>' in city
    assert "<th" in city and "Cán bộ thụ lý" in city and "Nguyễn Thị Hoa" in city  # NV-02 row

    mine = await (await web.client.get("/?scope=mine")).text()
    assert figures(mine)["total"] == 2 and figures(mine)["overdue"] == 2
    assert "<h1>Nhiệm vụ đồng chí phụ trách</h1>" in mine
    assert '<a href="/?scope=mine" aria-current="page">Của tôi</a>' in mine
    assert "NV-06" in mine and "NV-07" not in mine

    assert figures(await (await web.client.get("/?scope=all")).text())["total"] == 7
    wrong = await web.client.get("/?scope=everything")
    assert wrong.status == 400
    assert "Phạm vi không hợp lệ" in await wrong.text()


async def test_others_get_no_switch_and_keep_their_scope(web: Web, world: World) -> None:
    await put_in_charge(web, world)
    await web.login("GD-STC")
    page = await (await web.client.get("/?scope=mine")).text()
    assert "Của tôi" not in page
    assert figures(page)["total"] == 4  # Sở Tài chính's tasks
