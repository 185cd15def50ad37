"""People in charge in chat: /nhiemvu lists the tasks I handle first and names the handler
and the leader in charge with their job titles; /tonghop tôi gives a leader the tasks they
are in charge of."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from bot.models import Official, Task
from tests.handlers.conftest import World
from tests.handlers.test_report_statements import REPORT_STATEMENTS, counted_statements


async def put_in_charge(world: World, code: str, *, handler: str = "", leader: str = "") -> None:
    """Name the task's handler and leader in charge (by official code)."""
    async with world.ctx.db.session() as session:
        values = {}
        if handler:
            values["handler_id"] = world.official_ids[handler]
        if leader:
            values["leader_in_charge_id"] = world.official_ids[leader]
        await session.execute(update(Task).where(Task.code == code).values(**values))


@pytest.fixture
async def people(world: World) -> World:
    """Hoa handles KH-DTC-2026 and NQ-01; Châu, Phó Chủ tịch, is in charge of NQ-01 and NV-05."""
    async with world.ctx.db.session() as session:
        chau = await session.scalar(select(Official).where(Official.code == "LD-01"))
        hoa = await session.scalar(select(Official).where(Official.code == "CV-STC-01"))
        assert chau is not None and hoa is not None
        chau.title = "Phó Chủ tịch UBND thành phố"
        hoa.title = "Chuyên viên"
    await put_in_charge(world, "KH-DTC-2026", handler="CV-STC-01")
    await put_in_charge(world, "NQ-01", handler="CV-STC-01", leader="LD-01")
    await put_in_charge(world, "NV-05", leader="LD-01")
    return world


async def test_the_tasks_i_handle_come_first_then_the_rest_of_the_unit(people: World) -> None:
    await people.backend.push_message(people.hoa, "/nhiemvu")
    lines = people.backend.pop_text().splitlines()

    mine, others = lines.index("Đồng chí thụ lý (2):"), lines.index("Nhiệm vụ khác của đơn vị (1):")
    assert [line.split()[1] for line in lines[mine + 1 : others]] == ["NQ-01", "KH-DTC-2026"]
    assert lines[others + 1].split()[1] == "NV-02"
    assert lines[mine + 1].endswith(" — thụ lý: Nguyễn Thị Hoa")


async def test_without_tasks_of_my_own_the_list_is_the_units_and_names_the_handler(
    people: World,
) -> None:
    await people.backend.push_message(people.nam, "/nhiemvu")
    text = people.backend.pop_text()

    assert "Đồng chí thụ lý" not in text and "Nhiệm vụ khác" not in text
    lines = [line for line in text.splitlines() if line.startswith("•")]
    assert [line.split()[1] for line in lines] == ["NV-02", "NQ-01", "KH-DTC-2026"]
    assert lines[1].endswith("— thụ lý: Nguyễn Thị Hoa") and "thụ lý" not in lines[0]


async def test_task_detail_names_the_handler_and_the_leader_with_their_titles(
    people: World,
) -> None:
    await people.backend.push_message(people.nam, "/nhiemvu NQ-01")
    text = people.backend.pop_text()

    assert "Cán bộ thụ lý: Nguyễn Thị Hoa, Chuyên viên" in text
    assert "Lãnh đạo phụ trách: Lê Ngọc Châu, Phó Chủ tịch UBND thành phố" in text


async def test_english_detail_and_list(people: World) -> None:
    await put_in_charge(people, "NV-05", handler="CV-SYT-01")
    await people.backend.push_message(people.mai, "/tasks NV-05")
    text = people.backend.pop_text()
    assert "Handling official: Đỗ Thị Mai" in text
    assert "Leader in charge: Lê Ngọc Châu, Phó Chủ tịch UBND thành phố" in text
    await people.backend.push_message(people.mai, "/tasks")
    assert "Handled by you (1):" in people.backend.pop_text()


@pytest.mark.parametrize(
    "words", ["/tonghop tôi", "/tonghop toi", "/tonghop Của tôi", "/digest mine"]
)
async def test_a_leader_digest_of_their_own_tasks(people: World, words: str) -> None:
    await people.backend.push_message(people.chau, words)
    text = people.backend.pop_text()

    assert "Nhiệm vụ đồng chí phụ trách, ngày 08/12/2025" in text
    assert "Tổng số nhiệm vụ: 2" in text
    assert "NV-05" in text and "NV-02" not in text


async def test_the_city_digest_stays_whole_and_a_leader_in_charge_of_nothing_is_told(
    people: World,
) -> None:
    await people.backend.push_message(people.chau, "/tonghop")
    assert "Tổng số nhiệm vụ: 6" in people.backend.pop_text()
    await people.backend.push_message(people.tung, "/tonghop tôi")
    assert "Chưa có nhiệm vụ nào." in people.backend.pop_text()


async def test_mine_is_for_leaders_and_an_unknown_scope_is_explained(people: World) -> None:
    await people.backend.push_message(people.nam, "/tonghop tôi")
    assert people.backend.pop_text().startswith("/tonghop tôi dành cho lãnh đạo phụ trách")
    await people.backend.push_message(people.chau, "/tonghop tuần")
    assert people.backend.pop_text().startswith("Không rõ phạm vi tổng hợp «tuần».")


async def test_a_report_on_a_handled_task_costs_no_more_statements(people: World) -> None:
    backend = people.backend
    await backend.push_message(people.hoa, "/baocao NQ-01 50 Đã họp")  # warm caches
    backend.pop_message()
    with counted_statements(people.ctx.db) as statements:
        await backend.push_message(people.hoa, "/baocao NQ-01 60 Đã trình dự thảo lên UBND")
    assert backend.pop_text().startswith("Đã lưu báo cáo.")
    assert len(statements) == REPORT_STATEMENTS, "\n".join(statements)
