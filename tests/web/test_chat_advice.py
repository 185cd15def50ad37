"""Recommendations and directions in the web chat (its real WebSocket): a staff official
reports with ``| kiến nghị:``, then the leader answers from ``/chidao``'s button."""

from __future__ import annotations

from sqlalchemy import select

from bot.models import Direction, Recommendation
from tests.web.conftest import Web, World
from tests.web.test_chat import register


async def test_a_recommendation_raised_and_answered_in_the_web_chat(web: Web, world: World) -> None:
    staff = await register(web, "CV-STC-01")
    saved = await staff.say("/baocao NQ-01 60 Đã họp các sở | kiến nghị: đề nghị bổ sung kinh phí")
    assert saved["text"].startswith("Đã lưu báo cáo.")
    assert saved["text"].endswith(
        "Kiến nghị: đề nghị bổ sung kinh phí\nKiến nghị đã được chuyển đến Lê Ngọc Châu."
    )
    await staff.ws.close()
    web.client.session.cookie_jar.clear()

    leader = await register(web, "LD-01")
    listed = await leader.say("/chidao")
    assert listed["text"].startswith("KIẾN NGHỊ CHỜ CHO Ý KIẾN (1), cũ nhất trước:")
    await leader.press(listed, "Cho ý kiến chỉ đạo NQ-01")
    assert leader.out()[-1]["text"].startswith("Cho ý kiến chỉ đạo về kiến nghị nhiệm vụ NQ-01")
    done = await leader.say("Đồng ý, giao Sở Tài chính cân đối nguồn.")
    assert done["text"] == "Đã gửi ý kiến chỉ đạo về nhiệm vụ NQ-01 đến Sở Tài chính."
    async with web.ctx.db.session() as session:
        [direction] = list(await session.scalars(select(Direction)))
        recommendation = await session.scalar(select(Recommendation))
    assert recommendation is not None and recommendation.answered_at is not None
    assert direction.recommendation_id == recommendation.id
