"""Neutral messages: serialisation for the outbox and text splitting for small channels."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from bot.messages import Button, Document, Reply, fit_caption, split_text


def test_reply_round_trips_through_the_outbox_payload() -> None:
    reply = Reply(
        text="Nhắc việc",
        buttons=[[Button("Báo cáo NQ-01", "rp:NQ-01")], [Button("Hủy", "x")]],
        document=Document(name="bao-cao.xlsx", mime="application/vnd.ms-excel", content=b"\x00PK"),
        edit=True,
    )
    assert Reply.from_dict(reply.to_dict()) == reply


documents = st.one_of(st.none(), st.builds(Document))
replies = st.builds(
    Reply,
    buttons=st.lists(st.lists(st.builds(Button), max_size=3), max_size=3),
    document=documents,
    photo=documents,
)


@given(replies)
def test_every_field_of_a_reply_survives_the_json_outbox_payload(reply: Reply) -> None:
    """Also fails when a field is added to Reply, Button or Document but not serialised."""
    assert Reply.from_dict(json.loads(json.dumps(reply.to_dict()))) == reply


@given(st.text(), st.integers(min_value=1, max_value=50))
def test_split_text_keeps_every_part_within_the_limit(text: str, limit: int) -> None:
    parts = split_text(text, limit)
    assert parts
    assert all(len(part) <= limit for part in parts)


@given(st.lists(st.text(alphabet="abcđêơ ", min_size=1, max_size=30), min_size=1, max_size=40))
def test_split_text_cuts_on_line_boundaries_and_loses_nothing(lines: list[str]) -> None:
    text = "\n".join(lines)
    parts = split_text(text, 40)
    assert "".join(parts).replace("\n", "") == text.replace("\n", "") or any(
        not line.strip() for line in lines
    )
    if all(line.strip() for line in lines):
        assert "\n".join(parts) == text


@given(st.text(max_size=300), st.integers(min_value=1, max_value=60))
def test_a_file_text_is_its_caption_when_it_fits_else_messages_before_it(
    text: str, caption_limit: int
) -> None:
    before, caption = fit_caption(text, caption_limit, 100)
    if len(text) <= caption_limit:
        assert (before, caption) == ([], text)
    else:
        assert caption == ""
        assert before == split_text(text, 100)
        assert all(len(part) <= 100 for part in before)
