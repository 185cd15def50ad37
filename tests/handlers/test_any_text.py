"""Whatever anyone types, the bot answers and never fails; the command menu for Telegram."""

from __future__ import annotations

import itertools
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handlers.commands import menu
from handlers.texts import TEXTS
from tests.handlers.conftest import World

KEYS = itertools.count()
COMMAND_PREFIXES = st.sampled_from(
    ["", "/baocao ", "/nhiemvu ", "/giahan NQ-01 ", "/xong ", "/donvi ", "NQ-01 ", "/start "]
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(prefix=COMMAND_PREFIXES, text=st.text(max_size=80), who=st.sampled_from(["hoa", "chau"]))
async def test_any_text_gets_a_reply(world: World, prefix: str, text: str, who: str) -> None:
    user = world.users[who]
    replies = await world.backend.push_message(user, prefix + text, update_key=f"h{next(KEYS)}")
    assert replies, prefix + text
    assert all(reply.text.strip() for reply in replies)
    assert not any(reply.text == TEXTS.t("internal_error") for reply in replies)
    world.backend.queue.clear()


def test_menu_in_both_languages() -> None:
    vi = dict(menu("vi"))
    en = dict(menu("en"))
    assert {"start", "baocao", "nhiemvu", "xong", "giahan", "tonghop", "quahan", "donvi"} <= set(vi)
    assert {"start", "report", "tasks", "done", "extend", "digest", "overdue", "unit"} <= set(en)
    assert vi["baocao"].startswith("Báo cáo tiến độ")
    assert en["report"].startswith("Report progress")
    for name, description in [*vi.items(), *en.items()]:
        assert re.fullmatch(r"[a-z0-9_]{1,32}", name)
        assert 1 <= len(description) <= 256
