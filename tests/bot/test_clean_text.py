"""``clean_text``: the one rule for text entering Dondoc from chats and imported files."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.text_cleaning import clean_text

ALLOWED_CONTROLS = {"\t", "\n"}
any_text = st.text(alphabet=st.characters(codec=None, exclude_categories=()))
"""Any code points, lone surrogates and every control character included."""


def test_examples_an_official_might_send() -> None:
    assert clean_text("Đã\x01 gửi dự thảo") == "Đã gửi dự thảo"
    assert clean_text("dòng 1\r\ndòng 2\tcột") == "dòng 1\ndòng 2\tcột"
    assert clean_text("a\x00b\x1fc\x7f") == "abc\x7f"
    assert clean_text("bad \ud800 half") == "bad \ufffd half"
    assert clean_text("Nghị quyết số 81/NQ-HĐND 🎉") == "Nghị quyết số 81/NQ-HĐND 🎉"


@given(any_text)
def test_the_result_holds_no_forbidden_character(text: str) -> None:
    cleaned = clean_text(text)
    assert not any(ord(c) < 0x20 and c not in ALLOWED_CONTROLS for c in cleaned)
    assert "\r" not in cleaned
    cleaned.encode("utf-8")  # no lone surrogate left


@given(any_text)
def test_cleaning_twice_changes_nothing(text: str) -> None:
    assert clean_text(clean_text(text)) == clean_text(text)


@given(st.text(alphabet=st.characters(exclude_categories=("Cc", "Cs"))))
def test_printable_text_is_kept_as_it_is(text: str) -> None:
    assert clean_text(text) == text


@given(any_text)
def test_every_readable_character_is_kept_in_order(text: str) -> None:
    readable = [c for c in text if ord(c) >= 0x20 and not 0xD800 <= ord(c) <= 0xDFFF]
    kept = [c for c in clean_text(text) if c not in ALLOWED_CONTROLS and c != "\ufffd"]
    assert kept == [c for c in readable if c != "\ufffd"]
