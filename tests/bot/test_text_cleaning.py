"""clean_text: what every boundary does to text from outside before it is stored."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.text_cleaning import REPLACEMENT, clean_text


def test_controls_go_tabs_and_newlines_stay() -> None:
    assert clean_text("a\x00b\x01c\x1fd\te\nf\x7f") == "abcd\te\nf\x7f"
    assert clean_text("dòng 1\r\ndòng 2\rdòng 3") == "dòng 1\ndòng 2\ndòng 3"


def test_lone_surrogates_are_replaced() -> None:
    assert clean_text("a\ud800b\udfffc") == f"a{REPLACEMENT}b{REPLACEMENT}c"
    assert clean_text("Đã xong 😀") == "Đã xong 😀"


@given(st.text(alphabet=st.characters(codec=None, min_codepoint=0, max_codepoint=0x10FFFF)))
def test_the_result_is_storable_and_stable(text: str) -> None:
    cleaned = clean_text(text)
    cleaned.encode("utf-8")  # no lone surrogate left
    assert not any(ord(c) < 0x20 and c not in "\t\n" for c in cleaned)
    assert clean_text(cleaned) == cleaned


@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs"))))
def test_ordinary_text_is_unchanged(text: str) -> None:
    assert clean_text(text) == text


def test_examples_an_official_might_send() -> None:
    assert clean_text("Đã\x01 gửi dự thảo") == "Đã gửi dự thảo"
    assert clean_text("Nghị quyết số 81/NQ-HĐND 🎉") == "Nghị quyết số 81/NQ-HĐND 🎉"


@given(st.text(alphabet=st.characters(codec=None, exclude_categories=())))
def test_every_readable_character_is_kept_in_order(text: str) -> None:
    readable = [c for c in text if ord(c) >= 0x20 and not 0xD800 <= ord(c) <= 0xDFFF]
    kept = [c for c in clean_text(text) if c not in "\t\n" and c != REPLACEMENT]
    assert kept == [c for c in readable if c != REPLACEMENT]
