"""The full task list (GET /tasks): filters, search, paging, scope, bad values, and the Excel
export of the listed tasks. On SQLite and PostgreSQL (the ``web`` fixture's database).

The city of tests/web/conftest.py on Monday 08/12/2025: STC leads NQ-01 (due 15/12, in
progress), NV-02 (due 01/12, overdue), NV-05 (done late), NV-07 (due 12/12); SXD leads NV-03
(due 31/12), NV-04 (done on time), NV-06 (due 28/11, overdue).
"""

from __future__ import annotations

import datetime as dt
import io
import re

import openpyxl
from sqlalchemy import select

from bot.exporting import TASKS_SHEET
from bot.models import Official, Task, TaskState
from tests.web.conftest import Web, World, local


def codes(page: str) -> list[str]:
    """The task codes of the list's rows, in order."""
    return re.findall(r'<td class="code" data-value="([^"]+)"><a href="/tasks/', page)


async def listed(web: Web, query: str, status: int = 200) -> str:
    response = await web.client.get(f"/tasks{query}")
    page = await response.text()
    assert response.status == status, page
    return page


async def test_a_leader_lists_every_task_soonest_deadline_first(web: Web, world: World) -> None:
    await web.login("LD-01")
    page = await listed(web, "")
    assert codes(page) == ["NV-06", "NV-02", "NV-05", "NV-04", "NV-07", "NQ-01", "NV-03"]
    assert "7 nhiệm vụ" in page
    assert 'href="/tasks">Danh sách nhiệm vụ</a>' in page
    assert "Quá hạn" in page and "Hoàn thành quá hạn" in page


async def test_filters_by_unit_status_range_source_and_leader(web: Web, world: World) -> None:
    async with web.ctx.db.session() as session:
        task = await session.scalar(select(Task).where(Task.code == "NQ-01"))
        leader = await session.scalar(select(Official).where(Official.code == "LD-01"))
        assert task is not None and leader is not None
        task.leader_in_charge_id = leader.id
    await web.login("VP-01")
    assert codes(await listed(web, "?status=overdue")) == ["NV-06", "NV-02"]
    assert codes(await listed(web, "?status=overdue&unit=STC")) == ["NV-02"]
    assert codes(await listed(web, "?status=done_late")) == ["NV-05"]
    assert codes(await listed(web, "?status=in_progress&unit=stc")) == ["NV-07", "NQ-01"]
    assert codes(await listed(web, "?from=2025-12-10&to=15/12/2025")) == ["NV-04", "NV-07", "NQ-01"]
    assert codes(await listed(web, "?source=45/nq-hdnd")) == ["NQ-01"]
    page = await listed(web, "?leader=LD-01")
    assert codes(page) == ["NQ-01"] and "1 nhiệm vụ" in page
    assert '<option value="LD-01" selected>' in page


async def test_search_finds_words_of_a_title_without_accents_or_a_code(
    web: Web, world: World
) -> None:
    await web.login("LD-01")
    assert codes(await listed(web, "?q=nghi+quyet+HDND")) == ["NQ-01"]
    assert codes(await listed(web, "?q=ph%C3%A1t+tri%E1%BB%83n")) == ["NV-05", "NV-07"]
    assert codes(await listed(web, "?q=nv-03")) == ["NV-03"]
    page = await listed(web, "?q=bong+da&status=overdue")
    assert codes(page) == [] and "Không có nhiệm vụ nào khớp bộ lọc." in page
    assert 'value="bong da"' in page  # the search stays in its box


async def test_a_unit_head_lists_their_unit_only(web: Web, world: World) -> None:
    await web.login("GD-SXD")
    page = await listed(web, "")
    assert codes(page) == ["NV-06", "NV-04", "NV-03"]
    assert "Sở Tài chính" not in page  # not even in the unit filter
    refused = await listed(web, "?unit=STC&status=overdue", status=400)
    assert "chỉ xem được nhiệm vụ của đơn vị mình" in refused
    assert codes(refused) == ["NV-06"]  # the status filter still applies, in scope


async def test_bad_values_are_explained_and_the_other_filters_kept(web: Web, world: World) -> None:
    await web.login("LD-01")
    page = await listed(web, "?status=late&unit=STC&from=31/02/2025&page=abc", status=400)
    assert "Tình trạng không hợp lệ" in page
    assert "Thời hạn từ ngày» không hợp lệ" in page
    assert "Số trang không hợp lệ" in page
    assert codes(page) == ["NV-02", "NV-05", "NV-07", "NQ-01"]
    assert 'value="31/02/2025"' in page  # the wrong date is shown for correcting
    unknown = await listed(web, "?unit=XYZ&leader=NOBODY&source=99/QĐ", status=400)
    assert "Không có đơn vị với mã đã chọn" in unknown
    assert "Không có lãnh đạo với mã đã chọn" in unknown
    assert "Không có nhiệm vụ nào theo văn bản giao" in unknown
    assert len(codes(unknown)) == 7
    backwards = await listed(web, "?from=2025-12-31&to=2025-12-01", status=400)
    assert codes(backwards) == ["NV-03"]


async def add_plans(web: Web, world: World) -> None:
    """60 more SXD tasks, KH-001 to KH-060, due one day after another from 02/01/2026; their
    progress is shuffled (37 × number mod 101), so its order is not the deadlines'."""
    async with web.ctx.db.session() as session:
        session.add_all(
            Task(
                code=f"KH-{number:03d}",
                title=f"Kế hoạch số {number}",
                lead_unit_id=world.units["SXD"].id,
                deadline=dt.date(2026, 1, 1) + dt.timedelta(days=number),
                progress=37 * number % 101,
                created_at=local(1, 11),
                updated_at=local(1, 11),
            )
            for number in range(1, 61)
        )


async def test_pages_of_fifty_keep_the_filters(web: Web, world: World) -> None:
    await add_plans(web, world)
    await web.login("LD-01")
    first = await listed(web, "?unit=SXD&q=ke+hoach")
    assert "60 nhiệm vụ" in first
    assert codes(first) == [f"KH-{number:03d}" for number in range(1, 51)]
    assert 'href="/tasks?unit=SXD&amp;q=ke+hoach&amp;page=2"' in first
    second = await listed(web, "?unit=SXD&q=ke+hoach&page=2")
    assert codes(second) == [f"KH-{number:03d}" for number in range(51, 61)]
    assert "Hiển thị 51–60 trong số 60" in second
    assert 'href="/tasks?unit=SXD&amp;q=ke+hoach" rel="prev"' in second
    assert codes(await listed(web, "?unit=SXD&q=ke+hoach&page=9")) == codes(second)


async def test_sorting_runs_across_every_page(web: Web, world: World) -> None:
    await add_plans(web, world)
    async with web.ctx.db.session() as session:
        everything = list(await session.execute(select(Task.code, Task.progress)))
    assert len(everything) == 67
    by_progress = [code for code, _ in sorted(everything, key=lambda row: (-row[1], row[0]))]
    await web.login("LD-01")
    first = await listed(web, "?sort=-progress")
    assert codes(first) == by_progress[:50]
    top = max(progress for _, progress in everything)
    assert f'data-value="{top}">{top}%</td>' in first.split("<tr", 3)[2]  # the first row
    assert 'aria-sort="descending"><a href="/tasks?sort=progress">' in first
    assert '<span aria-hidden="true"> ▼</span>' in first
    assert '<a href="/tasks?sort=code">' in first  # other columns start ascending
    assert '<input type="hidden" name="sort" value="-progress">' in first  # the filter form
    assert 'href="/tasks?sort=-progress&amp;page=2"' in first
    assert 'class="sortable"' not in first  # no client-side sorting of one page
    second = await listed(web, "?sort=-progress&page=2")
    assert codes(second) == by_progress[50:]
    assert 'href="/tasks?sort=-progress" rel="prev"' in second
    filtered = await listed(web, "?unit=SXD&q=ke+hoach&sort=progress&page=2")
    plans = sorted((progress, code) for code, progress in everything if code.startswith("KH"))
    assert codes(filtered) == [code for _, code in plans[50:]]
    assert 'href="/tasks?unit=SXD&amp;q=ke+hoach&amp;sort=progress" rel="prev"' in filtered
    # the default order is the deadline's, the header toggles it; no deadline stays last
    default = await listed(web, "?unit=SXD&q=ke+hoach")
    assert (
        'aria-sort="ascending"><a href="/tasks?unit=SXD&amp;q=ke+hoach&amp;sort=-deadline">'
        in default
    )
    assert 'name="sort"' not in default.split('id="filters"')[1].split("</form>")[0]
    latest = await listed(web, "?unit=SXD&q=ke+hoach&sort=-deadline")
    assert codes(latest) == [f"KH-{number:03d}" for number in range(60, 10, -1)]


async def test_sorting_by_status_unit_and_code(web: Web, world: World) -> None:
    await web.login("LD-01")
    statuses = codes(await listed(web, "?sort=status"))
    assert statuses == ["NV-04", "NV-05", "NQ-01", "NV-03", "NV-07", "NV-02", "NV-06"]
    reverse = codes(await listed(web, "?sort=-status"))
    assert reverse == ["NV-02", "NV-06", "NQ-01", "NV-03", "NV-07", "NV-05", "NV-04"]
    units = codes(await listed(web, "?sort=-unit"))
    assert units == ["NV-03", "NV-04", "NV-06", "NQ-01", "NV-02", "NV-05", "NV-07"]
    assert codes(await listed(web, "?sort=-code")) == sorted(units, reverse=True)


async def test_a_bad_sort_order_is_explained_and_the_default_kept(web: Web, world: World) -> None:
    await web.login("LD-01")
    page = await listed(web, "?sort=title&status=overdue", status=400)
    assert "Thứ tự sắp xếp không hợp lệ" in page
    assert codes(page) == ["NV-06", "NV-02"]  # the status filter still applies
    assert 'name="sort"' not in page.split('id="filters"')[1].split("</form>")[0]


async def test_the_overview_figures_link_to_the_list(web: Web, world: World) -> None:
    await web.login("LD-01")
    page = await (await web.client.get("/")).text()
    assert '<a class="number" href="/tasks?status=overdue" data-status="overdue">2</a>' in page
    assert 'href="/tasks?unit=STC&amp;status=overdue"' in page  # the unit table's count
    mine = await (await web.client.get("/?scope=mine")).text()
    assert 'href="/tasks?leader=LD-01&amp;status=overdue"' in mine
    unit = await (await web.client.get("/units/SXD")).text()
    assert 'href="/tasks?unit=SXD&amp;status=done_on_time"' in unit


def exported_codes(content: bytes) -> list[str]:
    sheet = openpyxl.load_workbook(io.BytesIO(content))[TASKS_SHEET]
    rows = [row for row in sheet.iter_rows(values_only=True) if row and row[0]]
    header = next(i for i, row in enumerate(rows) if row[0] == "Mã nhiệm vụ")
    return [str(row[0]) for row in rows[header + 1 :]]


async def test_the_export_has_only_the_listed_tasks(web: Web, world: World) -> None:
    await web.login("LD-01")
    page = await listed(web, "?status=overdue&q=ke+hoach")
    form = re.search(
        r'<form method="post" action="/export" class="inline" id="export-filtered">(.*?)</form>',
        page,
    )
    assert form is not None
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', form.group(1)))
    assert fields.pop("status") == "overdue" and fields.pop("q") == "ke hoach"
    response = await web.client.post(
        "/export", data={**fields, "status": "overdue", "q": "ke hoach"}
    )
    assert response.status == 200
    assert "-loc-" in response.headers["Content-Disposition"]
    content = await response.read()
    assert exported_codes(content) == ["NV-02"]
    summary = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    cells = {str(c.value) for row in summary.iter_rows() for c in row if c.value}
    assert "Sở Tài chính" in cells and "Sở Xây dựng" not in cells

    everything = await web.client.post("/export", data={"csrf": fields["csrf"]})
    assert len(exported_codes(await everything.read())) == 7
    nothing = await web.client.post("/export", data={"csrf": fields["csrf"], "q": "khong co"})
    assert exported_codes(await nothing.read()) == []
    bad = await web.client.post("/export", data={"csrf": fields["csrf"], "status": "late"})
    assert bad.status == 400 and "Tình trạng không hợp lệ" in await bad.text()


async def test_a_unit_heads_filtered_export_stays_in_their_unit(web: Web, world: World) -> None:
    await web.login("GD-STC")
    csrf = await web.csrf("/tasks")
    response = await web.client.post(
        "/export", data={"csrf": csrf, "status": "in_progress", "from": "2025-12-13"}
    )
    assert response.status == 200
    assert exported_codes(await response.read()) == ["NQ-01"]
    unit = await web.client.post("/export", data={"csrf": csrf, "unit": "STC", "q": "bong da"})
    assert exported_codes(await unit.read()) == ["NV-07"]


async def test_suspended_and_withdrawn_tasks_are_not_listed(web: Web, world: World) -> None:
    async with web.ctx.db.session() as session:
        for code, state in (("NV-02", TaskState.SUSPENDED), ("NV-03", TaskState.WITHDRAWN)):
            task = await session.scalar(select(Task).where(Task.code == code))
            assert task is not None
            task.state = state
    await web.login("LD-01")
    page = await listed(web, "")
    assert codes(page) == ["NV-06", "NV-05", "NV-04", "NV-07", "NQ-01"]
    overview = await (await web.client.get("/")).text()
    assert 'href="/tasks?status=overdue" data-status="overdue">1</a>' in overview
    assert codes(await listed(web, "?status=overdue")) == ["NV-06"]  # the card's count
