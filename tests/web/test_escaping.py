"""Hostile text from the database (an official's name, a task title, a unit name, a note) is
shown as text on every page that shows it: no element, no attribute comes out of it."""

from __future__ import annotations

from html.parser import HTMLParser

from markupsafe import escape
from sqlalchemy import select, update

from bot.context import AppContext
from bot.demo import load_demo
from bot.models import Official, Report, Task, Unit
from scheduler.snapshots import run_snapshot
from tests.web.conftest import Web, World, serve
from tests.web.test_chat import register

HOSTILE = "\"'><script>alert(1)</script><b title='x' onmouseover=\"alert(2)\">"
"""Closes an attribute of either quote, opens a script and a tag with an event handler."""


class Elements(HTMLParser):
    """Every start tag of a page with its attributes."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def assert_shown_as_text(page: str, expected_times: int = 1) -> None:
    tags = Elements(page).tags
    scripts = [attributes for tag, attributes in tags if tag == "script"]
    assert all(script.get("src", "").startswith("/static/") for script in scripts), scripts
    assert not [tag for tag, _ in tags if tag == "b"]
    assert not [tag for tag, attributes in tags if "onmouseover" in attributes]
    assert "<script>alert(1)" not in page
    assert page.count(str(escape(HOSTILE))) >= expected_times


async def make_hostile(web: Web, world: World) -> None:
    """The leader's and a staff official's names, a task's title, a unit's name and a report's
    note are all the hostile text."""
    async with web.ctx.db.session() as session:
        for code in ("LD-01", "CV-STC-01"):
            await session.execute(
                update(Official).where(Official.code == code).values(full_name=HOSTILE)
            )
        for code in ("NV-06", "NV-02", "NQ-01", "NV-07"):
            await session.execute(update(Task).where(Task.code == code).values(title=HOSTILE))
        await session.execute(update(Unit).where(Unit.code == "SXD").values(name=HOSTILE))
        await session.execute(update(Report).values(note=HOSTILE))
    await run_snapshot(web.ctx)


async def test_every_dashboard_page_shows_hostile_text_as_text(web: Web, world: World) -> None:
    await make_hostile(web, world)
    await web.login("LD-01")
    for path in ("/", "/tasks/NV-06", "/tasks/NV-02", "/tasks/NQ-01", "/units/SXD", "/units/STC"):
        response = await web.client.get(path)
        assert response.status == 200, path
        page = await response.text()
        assert_shown_as_text(page, expected_times=2)
    overview = await (await web.client.get("/")).text()
    # the unit name in the bar chart's labels and tooltips, the title in the tables' sort values
    assert f"<title>{escape(HOSTILE)}: " in overview
    assert f'data-value="{escape(HOSTILE)}"' in overview


async def test_the_message_pages_show_hostile_text_as_text(web: Web, world: World) -> None:
    await make_hostile(web, world)
    await web.login("LD-01")
    response = await web.client.get("/units/" + "%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E")
    assert response.status == 404
    page = await response.text()
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
    assert_shown_as_text(page)  # the leader's name in the navigation


async def test_the_chat_page_shows_a_hostile_name_as_text(web: Web, world: World) -> None:
    await make_hostile(web, world)
    await register(web, "CV-STC-01")
    page = await (await web.client.get("/chat")).text()
    assert_shown_as_text(page)


async def test_the_demo_pickers_show_a_hostile_name_as_text(ctx: AppContext) -> None:
    await load_demo(ctx)
    async with ctx.db.session() as session:
        chairman = await session.scalar(select(Official).where(Official.code == "CT-UBND"))
        assert chairman is not None
        chairman.full_name = HOSTILE
    async for demo_web in serve(ctx):
        for path in ("/login", "/chat"):
            page = await (await demo_web.client.get(path)).text()
            assert 'id="demo-official"' in page
            assert_shown_as_text(page)
