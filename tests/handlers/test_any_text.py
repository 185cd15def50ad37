"""Whatever anyone types, the bot answers and never fails; the command menu for Telegram."""

from __future__ import annotations

import itertools
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handlers.commands import ROUTERS, menu
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


def test_menu_lists_every_command_of_the_help_under_the_name_people_type() -> None:
    """The menu comes from the registered commands, not from the wording of the help lines."""
    specs = [spec for router in ROUTERS for spec in router.commands if spec.help_key]
    assert all(spec.menu_key for spec in specs), "a command in /trogiup lacks a menu description"
    assert [name for name, _ in menu("vi")] == [spec.name for spec in specs]
    assert [name for name, _ in menu("en")] == [spec.english for spec in specs]
    for spec in specs:
        assert spec.english in (spec.name, *spec.aliases)
        assert f"/{spec.name_in('vi')}" in TEXTS.t(spec.help_key or "", "vi")
        assert f"/{spec.name_in('en')}" in TEXTS.t(spec.help_key or "", "en")
    assert dict(menu("vi"))["kenh"] == "Chọn kênh nhận nhắc việc, liên kết thêm kênh"
    assert dict(menu("en"))["start"] == "Link your account with an invite code"
