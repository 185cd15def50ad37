"""The import page: an admin uploads a workbook, checks it (nothing written, every problem
listed by file, sheet, row and column) or imports it (the same steps as ``dondoc import``,
audited with the admin as actor). Too big files, CSRF and other roles are refused."""

from __future__ import annotations

import io
import re

import pytest
from aiohttp import FormData
from openpyxl import Workbook
from sqlalchemy import func, select

from bot.context import AppContext
from bot.models import AuditLog, Official, Task
from bot.web.upload_form import safe_name
from tests.web.conftest import Web, World, serve

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TASK_HEADER = ["Mã nhiệm vụ", "Tên nhiệm vụ", "Đơn vị chủ trì", "Thời hạn"]
GOOD_ROWS = [
    ["NV-10", "Chương trình phát triển thể thao", "STC", "30/12/2025"],
    ["NV-11", "Kế hoạch phát triển y tế", "SXD", "2026-01-15"],
]
BAD_ROWS = [
    ["NV-10", "Chương trình phát triển thể thao", "STC", "31/02/2026"],
    ["NV-11", "Kế hoạch phát triển y tế", "SO-KHONG", "2026-01-15"],
]


def workbook(rows: list[list[str]], sheet: str = "Nhiệm vụ") -> bytes:
    book = Workbook()
    page = book.active
    assert page is not None
    page.title = sheet
    page.append(TASK_HEADER)
    for row in rows:
        page.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload_form(csrf: str, data: bytes, action: str, name: str = "nhiem-vu.xlsx") -> FormData:
    form = FormData()
    form.add_field("csrf", csrf)
    form.add_field("file", data, filename=name, content_type=XLSX)
    form.add_field("action", action)
    return form


def error_rows(page: str) -> list[list[str]]:
    section = page.split('id="import-errors"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", section, re.S)
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in rows]
    return [row for row in cells if row]


def counts(page: str, kind: str) -> tuple[int, int]:
    row = re.search(rf'<tr data-kind="{kind}">(.*?)</tr>', page, re.S)
    assert row, kind
    new = re.search(r'data-count="new">(\d+)<', row.group(1))
    updated = re.search(r'data-count="updated">(\d+)<', row.group(1))
    assert new and updated
    return int(new.group(1)), int(updated.group(1))


async def task_codes(web: Web) -> set[str]:
    async with web.ctx.db.session() as session:
        return set(await session.scalars(select(Task.code)))


async def test_an_admin_checks_a_bad_workbook_and_sees_every_error(web: Web, world: World) -> None:
    await web.login("VP-01")
    page = await (await web.client.get("/imports")).text()
    assert 'enctype="multipart/form-data"' in page and 'accept=".xlsx,.csv"' in page
    assert "Chỉ kiểm tra" in page and "Nhập dữ liệu" in page
    csrf = await web.csrf("/imports")

    response = await web.client.post(
        "/imports", data=upload_form(csrf, workbook(BAD_ROWS), "check")
    )
    assert response.status == 422
    page = await response.text()
    assert "Tệp nhiem-vu.xlsx có 2 lỗi" in page
    rows = error_rows(page)
    assert rows[0][:4] == ["nhiem-vu.xlsx", "Nhiệm vụ", "2", "Thời hạn"]
    assert rows[0][4] == "ngày &#39;31/02/2026&#39; không có thật"
    assert rows[1][:4] == ["nhiem-vu.xlsx", "Nhiệm vụ", "3", "Đơn vị chủ trì"]
    assert "SO-KHONG" in rows[1][4]
    assert await task_codes(web) == set(world.tasks)


async def test_check_only_writes_nothing_and_import_writes_with_the_admin_as_actor(
    web: Web, world: World
) -> None:
    await web.login("VP-01")
    csrf = await web.csrf("/imports")
    checked = await web.client.post(
        "/imports", data=upload_form(csrf, workbook(GOOD_ROWS), "check")
    )
    assert checked.status == 200
    page = await checked.text()
    assert "Kiểm tra tệp nhiem-vu.xlsx: không có lỗi" in page
    assert counts(page, "tasks") == (2, 0)
    assert await task_codes(web) == set(world.tasks)

    done = await web.client.post("/imports", data=upload_form(csrf, workbook(GOOD_ROWS), "import"))
    assert done.status == 200
    page = await done.text()
    assert "Đã nhập tệp nhiem-vu.xlsx" in page
    assert counts(page, "tasks") == (2, 0)
    assert await task_codes(web) == set(world.tasks) | {"NV-10", "NV-11"}
    assert "Các lần nhập gần đây" in page and "Phạm Thu Lan" in page  # the history

    again = await web.client.post("/imports", data=upload_form(csrf, workbook(GOOD_ROWS), "import"))
    assert counts(await again.text(), "tasks") == (0, 2)
    async with web.ctx.db.session() as session:
        entry = await session.scalar(
            select(AuditLog).where(AuditLog.action == "import.tasks").order_by(AuditLog.id)
        )
        assert entry is not None
        admin = await session.scalar(select(Official).where(Official.code == "VP-01"))
        assert admin is not None
        assert entry.actor_id == admin.id and entry.actor == "web"
        assert entry.details["files"] == ["nhiem-vu.xlsx"]
        assert sorted(entry.details["created"]) == ["NV-10", "NV-11"]


async def test_a_csv_file_and_a_missing_file(web: Web, world: World) -> None:
    await web.login("VP-01")
    csrf = await web.csrf("/imports")
    rows = [[*TASK_HEADER, "Màu sắc"], *([*row, "đỏ"] for row in GOOD_ROWS)]
    data = ("\n".join(",".join(row) for row in rows) + "\n").encode()
    form = FormData()
    form.add_field("csrf", csrf)
    form.add_field("file", data, filename="tasks.csv", content_type="text/csv")
    form.add_field("action", "import")
    response = await web.client.post("/imports", data=form)
    assert response.status == 200, await response.text()
    assert "Lưu ý: tasks.csv:1:Màu sắc: không nhận ra cột này, bỏ qua" in await response.text()
    assert "NV-10" in await task_codes(web)

    empty = FormData()
    empty.add_field("csrf", csrf)
    empty.add_field("file", b"", filename="", content_type="application/octet-stream")
    empty.add_field("action", "check")
    missing = await web.client.post("/imports", data=empty)
    assert missing.status == 400
    assert "Chưa chọn tệp để nhập." in await missing.text()


async def test_a_file_of_another_type_is_listed_as_an_error(web: Web, world: World) -> None:
    await web.login("VP-01")
    csrf = await web.csrf("/imports")
    form = upload_form(csrf, b"%PDF-1.4", "check", name="bao-cao.pdf")
    response = await web.client.post("/imports", data=form)
    assert response.status == 422
    rows = error_rows(await response.text())
    assert rows[0][0] == "bao-cao.pdf" and "loại tệp &#39;.pdf&#39; không được hỗ trợ" in rows[0][4]


async def test_a_too_big_file_is_refused_with_its_limit(ctx: AppContext, world: World) -> None:
    small = AppContext(
        settings=ctx.settings.model_copy(update={"import_max_bytes": 4096}),
        db=ctx.db,
        clock=ctx.clock,
    )
    async for web in serve(small):
        await web.login("VP-01")
        csrf = await web.csrf("/imports")
        big = workbook(GOOD_ROWS * 200)
        assert len(big) > 4096
        response = await web.client.post("/imports", data=upload_form(csrf, big, "import"))
        assert response.status == 413
        page = await response.text()
        assert "Tệp nhiem-vu.xlsx lớn hơn 4 KB" in page and "DONDOC_IMPORT_MAX_BYTES" in page
        assert await task_codes(web) == set(world.tasks)


async def test_an_upload_without_the_csrf_token_is_refused(web: Web, world: World) -> None:
    await web.login("VP-01")
    response = await web.client.post(
        "/imports", data=upload_form("forged", workbook(GOOD_ROWS), "import")
    )
    assert response.status == 403
    assert "Biểu mẫu đã cũ" in await response.text()
    csrf = await web.csrf()
    not_multipart = await web.client.post("/imports", data={"csrf": csrf})
    assert not_multipart.status == 403  # only the upload form's own body carries the token
    odd = FormData()
    odd.add_field("csrf", csrf)
    odd.add_field("action", "x" * 10_000)
    odd.add_field("file", workbook(GOOD_ROWS), filename="nhiem-vu.xlsx", content_type=XLSX)
    broken = await web.client.post("/imports", data=odd)
    assert broken.status == 400
    assert "Tệp tải lên không hợp lệ" in await broken.text()
    assert await task_codes(web) == set(world.tasks)


async def test_a_broken_multipart_body_changes_nothing(web: Web, world: World) -> None:
    await web.login("VP-01")
    csrf = await web.csrf()
    head = (
        f'--xyz\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n{csrf}\r\n'
        '--xyz\r\nContent-Disposition: form-data; name="action"\r\n\r\nimport'
    ).encode()
    headers = {"Content-Type": "multipart/form-data; boundary=xyz"}
    cut = await web.client.post("/imports", data=head, headers=headers)  # body ends mid-part
    assert cut.status == 400
    assert "Tệp tải lên không hợp lệ" in await cut.text()
    garbage = await web.client.post("/imports", data=b"garbage", headers=headers)
    assert garbage.status == 403  # no token could be read
    assert await task_codes(web) == set(world.tasks)


@pytest.mark.parametrize(
    ("sent", "saved"),
    [
        ("nhiem-vu.xlsx", "nhiem-vu.xlsx"),
        ("C:\\fakepath\\Nhiệm vụ 12.xlsx", "Nhiệm vụ 12.xlsx"),
        ("../../etc/passwd", "passwd"),
        ("..", "upload"),
        ("a<b>|c.csv", "a_b_c.csv"),
    ],
)
def test_an_uploaded_file_keeps_only_a_safe_name(sent: str, saved: str) -> None:
    assert safe_name(sent) == saved


async def test_only_admins_import(web: Web, world: World) -> None:
    for code in ("CV-STC-01", "GD-STC", "LD-01"):
        await web.login(code)
        overview = await (await web.client.get("/")).text()
        assert 'href="/imports"' not in overview
        assert (await web.client.get("/imports")).status == 403
        csrf = await web.csrf()
        refused = await web.client.post(
            "/imports", data=upload_form(csrf, workbook(GOOD_ROWS), "import")
        )
        assert refused.status == 403
        assert "Chỉ quản trị viên" in await refused.text()
    await web.login("VP-01")
    assert 'href="/imports"' in await (await web.client.get("/")).text()
    assert await task_codes(web) == set(world.tasks)
    async with web.ctx.db.session() as session:
        assert (
            await session.scalar(
                select(func.count()).select_from(AuditLog).where(AuditLog.action.like("import.%"))
            )
            == 0
        )


async def test_strangers_get_the_login_page(web: Web, world: World) -> None:
    response = await web.client.post("/imports", data=upload_form("x", b"x", "check"))
    assert response.status == 401
    assert (await web.client.get("/imports")).status == 401
