"""The officials pages: an admin lists, adds, edits, deactivates, reactivates and invites
officials; a unit head does so for the staff of their own unit; everyone else gets a 403.
Every change lands in the audit log with the signed-in official as actor."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bot.models import AuditLog, ChannelIdentity, InviteCode, Official, Role, Unit
from bot.services import invites, officials
from tests.bot.builders import add_official, rival_writes_first
from tests.web.conftest import Web, World


async def official(web: Web, code: str) -> Official | None:
    async with web.ctx.db.session() as session:
        return await session.scalar(
            select(Official).where(Official.code == code).options(selectinload(Official.unit))
        )


async def audit_rows(web: Web, action: str) -> list[AuditLog]:
    async with web.ctx.db.session() as session:
        return list(
            await session.scalars(
                select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)
            )
        )


async def actor_id(web: Web, code: str) -> int:
    found = await official(web, code)
    assert found is not None
    return found.id


def new_official(csrf: str, **changes: str) -> dict[str, Any]:
    form = {
        "csrf": csrf,
        "code": "cv-stc-02",
        "full_name": "Vũ Thị Mai",
        "title": "Chuyên viên",
        "unit": "STC",
        "role": "staff",
        "phone": "0912 345 678",
        "language": "vi",
    }
    form.update(changes)
    return form


async def test_an_admin_adds_an_official_and_the_change_is_audited(web: Web, world: World) -> None:
    await web.login("VP-01")
    overview = await (await web.client.get("/")).text()
    assert 'href="/officials"' in overview
    form_page = await (await web.client.get("/officials/new")).text()
    assert 'name="full_name"' in form_page and 'value="leader"' in form_page
    csrf = await web.csrf("/officials/new")

    response = await web.client.post("/officials/new", data=new_official(csrf))
    assert response.status == 200
    assert response.url.path == "/officials"
    page = await response.text()
    assert "Đã thêm cán bộ CV-STC-02" in page
    assert "Vũ Thị Mai" in page and "+84912345678" in page

    added = await official(web, "CV-STC-02")
    assert added is not None and added.unit is not None
    assert (added.full_name, added.role, added.unit.code, added.phone) == (
        "Vũ Thị Mai",
        Role.STAFF,
        "STC",
        "+84912345678",
    )
    [entry] = await audit_rows(web, "official.create")
    assert entry.actor_id == await actor_id(web, "VP-01") and entry.actor == "web"
    assert entry.details["code"] == "CV-STC-02"
    assert entry.details["values"]["unit"] == "STC"
    assert entry.details["values"]["role"] == "staff"


async def test_a_bad_form_comes_back_with_the_values_and_a_clear_message(
    web: Web, world: World
) -> None:
    await web.login("VP-01")
    csrf = await web.csrf("/officials/new")
    cases = [
        ({"phone": "12345"}, "phone", "không phải số Việt Nam"),
        ({"code": "CV-STC-01"}, "code", "Mã cán bộ CV-STC-01 đã có"),
        ({"code": "CV STC"}, "code", "không có dấu cách"),
        ({"full_name": "  "}, "full_name", "Chưa nhập họ và tên."),
        ({"unit": ""}, "unit", "phải thuộc một đơn vị"),
        ({"unit": "KHONG"}, "unit", "Không tìm thấy đơn vị KHONG."),
        ({"role": "head"}, "role", "đã có thủ trưởng là đồng chí Trần Văn Nam"),
        ({"role": "boss"}, "role", "Vai trò boss không có"),
        ({"language": "fr"}, "language", "Ngôn ngữ fr không có"),
    ]
    for changes, field, message in cases:
        response = await web.client.post("/officials/new", data=new_official(csrf, **changes))
        assert response.status == 422, changes
        page = await response.text()
        assert message in page, (changes, page)
        assert re.search(rf'name="{field}"[^>]*aria-invalid="true"', page), field
        if field != "full_name":
            assert 'value="Vũ Thị Mai"' in page  # what was typed stays
    assert await official(web, "CV-STC-02") is None
    assert await audit_rows(web, "official.create") == []


async def test_a_code_another_admin_just_added_is_the_form_error(
    web: Web, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def rival() -> None:
        async with web.ctx.db.session() as session:
            await add_official(session, web.ctx, "CV-STC-02", None, Role.LEADER, "Người khác")

    rival_writes_first(monkeypatch, officials, rival)
    await web.login("VP-01")
    csrf = await web.csrf("/officials/new")
    response = await web.client.post("/officials/new", data=new_official(csrf))
    page = await response.text()
    assert response.status == 422, page
    assert "Mã cán bộ CV-STC-02 đã có" in page
    assert re.search(r'name="code"[^>]*aria-invalid="true"', page)
    assert 'value="Vũ Thị Mai"' in page  # what was typed stays
    added = await official(web, "CV-STC-02")
    assert added is not None and added.full_name == "Người khác"
    assert await audit_rows(web, "official.create") == []


async def test_an_admin_edits_an_official_and_the_audit_keeps_old_and_new(
    web: Web, world: World
) -> None:
    await web.login("VP-01")
    form_page = await (await web.client.get("/officials/CV-STC-01/edit")).text()
    assert 'value="Nguyễn Thị Hoa"' in form_page
    csrf = await web.csrf("/officials/CV-STC-01/edit")
    data = new_official(
        csrf, code="ignored", full_name="Nguyễn Thị Hoa", unit="SXD", title="Chuyên viên chính"
    )
    response = await web.client.post("/officials/CV-STC-01/edit", data=data)
    assert response.status == 200
    assert "Đã cập nhật cán bộ CV-STC-01." in await response.text()
    moved = await official(web, "CV-STC-01")
    assert moved is not None and moved.unit is not None
    assert (moved.unit.code, moved.title, moved.phone) == (
        "SXD",
        "Chuyên viên chính",
        "+84912345678",
    )
    [entry] = await audit_rows(web, "official.update")
    assert entry.actor_id == await actor_id(web, "VP-01")
    assert entry.details["changes"] == {
        "title": ["", "Chuyên viên chính"],
        "phone": [None, "+84912345678"],
        "unit": ["STC", "SXD"],
    }
    same = await web.client.post("/officials/CV-STC-01/edit", data=data)
    assert "không có gì thay đổi" in await same.text()
    assert len(await audit_rows(web, "official.update")) == 1


async def test_making_a_head_heads_the_unit(web: Web, world: World) -> None:
    await web.login("VP-01")
    csrf = await web.csrf("/officials/GD-STC/edit")
    head = await official(web, "GD-STC")
    assert head is not None
    step_down = new_official(csrf, full_name=head.full_name, unit="STC", role="staff", phone="")
    assert (await web.client.post("/officials/GD-STC/edit", data=step_down)).status == 200
    promote = new_official(csrf, full_name="Nguyễn Thị Hoa", unit="STC", role="head", phone="")
    assert (await web.client.post("/officials/CV-STC-01/edit", data=promote)).status == 200
    async with web.ctx.db.session() as session:
        unit = await session.scalar(select(Unit).where(Unit.code == "STC"))
        assert unit is not None and unit.head_id == await actor_id(web, "CV-STC-01")


async def test_deactivate_and_reactivate_use_the_revoke_services(web: Web, world: World) -> None:
    async with web.ctx.db.session() as session:
        hoa = await session.scalar(select(Official).where(Official.code == "CV-STC-01"))
        assert hoa is not None
        session.add(
            ChannelIdentity(
                official_id=hoa.id,
                channel="telegram",
                external_user_id="42",
                chat_id="42",
                created_at=web.ctx.now(),
            )
        )
        await invites.create_invite(session, web.ctx, official=hoa)
    await web.login("VP-01")
    listing = await (await web.client.get("/officials?q=hoa")).text()
    assert "Đã liên kết" in listing
    csrf = await web.csrf("/officials")

    response = await web.client.post("/officials/CV-STC-01/deactivate", data={"csrf": csrf})
    assert response.status == 200
    page = await response.text()
    assert "Đã thu hồi quyền truy cập của cán bộ CV-STC-01" in page
    assert "Kích hoạt lại" in page
    revoked = await official(web, "CV-STC-01")
    assert revoked is not None and not revoked.active
    async with web.ctx.db.session() as session:
        accounts = list(await session.scalars(select(ChannelIdentity)))
        assert [account.active for account in accounts] == [False]
        invite = await session.scalar(select(InviteCode))
        assert invite is not None and invite.expires_at <= web.ctx.now()
    [entry] = await audit_rows(web, "official.revoke")
    assert entry.actor_id == await actor_id(web, "VP-01") and entry.actor == "web"
    assert entry.details["chat_accounts"] == 1 and entry.details["invites"] == 1

    again = await web.client.post("/officials/CV-STC-01/deactivate", data={"csrf": csrf})
    assert again.status == 400
    assert "đã bị thu hồi trước đó" in await again.text()

    no_invite = await web.client.post("/officials/CV-STC-01/invite", data={"csrf": csrf})
    assert no_invite.status == 400
    assert "kích hoạt lại trước" in await no_invite.text()
    back = await web.client.post("/officials/CV-STC-01/reactivate", data={"csrf": csrf})
    assert "Đã kích hoạt lại cán bộ CV-STC-01" in await back.text()
    active = await official(web, "CV-STC-01")
    assert active is not None and active.active
    [entry] = await audit_rows(web, "official.reactivate")
    assert entry.actor_id == await actor_id(web, "VP-01")

    myself = await web.client.post("/officials/VP-01/deactivate", data={"csrf": csrf})
    assert myself.status == 400
    assert "không thể tự thu hồi" in await myself.text()


async def test_an_invite_is_shown_once_with_the_link_and_its_qr_code(
    web: Web, world: World
) -> None:
    web.ctx.settings.telegram_bot_username = "DondocHaiPhongBot"
    await web.login("VP-01")
    csrf = await web.csrf("/officials")
    response = await web.client.post("/officials/CV-STC-01/invite", data={"csrf": csrf})
    assert response.status == 200
    page = await response.text()
    code = re.search(r'id="invite-code">([A-Z2-9]{5}-[A-Z2-9]{5})<', page)
    assert code, page
    link = f"https://t.me/DondocHaiPhongBot?start={code.group(1)}"
    assert f'href="{link}"' in page
    assert 'src="data:image/png;base64,' in page
    assert "/start " + code.group(1) in page
    async with web.ctx.db.session() as session:
        invite = await session.scalar(select(InviteCode))
        assert invite is not None
        assert invite.code_hash == invites.hash_code(code.group(1))
    [entry] = await audit_rows(web, "invite.create")
    assert entry.actor_id == await actor_id(web, "VP-01") and entry.actor == "web"
    assert entry.details["official"] == "CV-STC-01"


async def test_a_head_manages_the_staff_of_their_own_unit_only(web: Web, world: World) -> None:
    await web.login("GD-STC")
    listing = await (await web.client.get("/officials?unit=SXD")).text()
    assert "Cán bộ của Sở Tài chính" in listing
    assert "CV-STC-01" in listing and "GD-SXD" not in listing
    form_page = await (await web.client.get("/officials/new")).text()
    assert 'value="leader"' not in form_page and 'value="SXD"' not in form_page
    csrf = await web.csrf("/officials")

    added = await web.client.post("/officials/new", data=new_official(csrf))
    assert "Đã thêm cán bộ CV-STC-02" in await added.text()
    elsewhere = await web.client.post(
        "/officials/new", data=new_official(csrf, code="CV-SXD-09", unit="SXD")
    )
    assert elsewhere.status == 422
    assert "chỉ quản lý được chuyên viên của đơn vị mình" in await elsewhere.text()
    promoted = await web.client.post(
        "/officials/CV-STC-01/edit", data=new_official(csrf, full_name="Hoa", role="admin")
    )
    assert promoted.status == 422
    for path in ("/officials/GD-SXD/edit", "/officials/VP-01/edit"):
        assert (await web.client.get(path)).status == 403
    for action in ("deactivate", "invite"):
        refused = await web.client.post(f"/officials/GD-SXD/{action}", data={"csrf": csrf})
        assert refused.status == 403
    assert (await web.client.post("/officials/CV-STC-01/invite", data={"csrf": csrf})).ok
    other = await official(web, "GD-SXD")
    assert other is not None and other.active
    assert (await web.client.get("/officials/NOBODY/edit")).status == 404


async def test_staff_and_leaders_get_a_403(web: Web, world: World) -> None:
    for code in ("CV-STC-01", "LD-01"):
        await web.login(code)
        assert 'href="/officials"' not in await (await web.client.get("/")).text()
        for path in ("/officials", "/officials/new", "/officials/CV-STC-01/edit"):
            response = await web.client.get(path)
            assert response.status == 403, (code, path)
            assert "Chỉ quản trị viên" in await response.text()
        csrf = await web.csrf()
        for action in ("deactivate", "invite"):
            refused = await web.client.post(f"/officials/CV-STC-01/{action}", data={"csrf": csrf})
            assert refused.status == 403
        refused = await web.client.post("/officials/new", data=new_official(csrf))
        assert refused.status == 403
    assert await official(web, "CV-STC-02") is None


async def test_officials_forms_need_the_csrf_token(web: Web, world: World) -> None:
    await web.login("VP-01")
    for path in ("/officials/new", "/officials/CV-STC-01/deactivate"):
        response = await web.client.post(path, data=new_official("forged"))
        assert response.status == 403
    hoa = await official(web, "CV-STC-01")
    assert hoa is not None and hoa.active
    assert await official(web, "CV-STC-02") is None


async def test_names_are_shown_as_text(web: Web, world: World) -> None:
    await web.login("VP-01")
    csrf = await web.csrf("/officials/new")
    hostile = "<script>alert(1)</script>"
    response = await web.client.post(
        "/officials/new", data=new_official(csrf, full_name=hostile, title='"><b>')
    )
    page = await response.text()
    assert hostile not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert '"><b>' not in page
    edit = await (await web.client.get("/officials/CV-STC-02/edit")).text()
    assert hostile not in edit and "&lt;script&gt;" in edit


async def test_the_list_filters_searches_and_pages(web: Web, world: World) -> None:
    await web.login("VP-01")
    by_unit = await (await web.client.get("/officials?unit=STC")).text()
    assert "Danh sách cán bộ (2)" in by_unit
    search = await (await web.client.get("/officials?q=tran van")).text()
    assert "Danh sách cán bộ (1)" in search and "Trần Văn Nam" in search
    async with web.ctx.db.session() as session:
        session.add_all(
            Official(
                code=f"CV-SXD-{number:03}",
                full_name=f"Cán bộ {number}",
                role=Role.STAFF,
                unit_id=world.units["SXD"].id,
                created_at=web.ctx.now(),
            )
            for number in range(60)
        )
    first = await (await web.client.get("/officials")).text()
    assert "Trang 1/2" in first and 'rel="next"' in first
    second = await (await web.client.get("/officials?page=2")).text()
    assert "Trang 2/2" in second and 'rel="prev"' in second
    assert len(re.findall(r'<tr data-code="', second)) == 65 - 50
