"""The recommendation part of a report line (``| kiến nghị:``) and a typed "no"."""

from __future__ import annotations

import unicodedata

import pytest

from handlers.parsing import is_no_recommendation, split_recommendation


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Đã họp các sở | kiến nghị: đề nghị bổ sung kinh phí",
            ("Đã họp các sở", "đề nghị bổ sung kinh phí"),
        ),
        ("Đã họp |kien nghi:xin thêm thời gian", ("Đã họp", "xin thêm thời gian")),
        ("Đã họp | KIẾN NGHỊ : cần ý kiến", ("Đã họp", "cần ý kiến")),
        ("Done | recommendation: more funds", ("Done", "more funds")),
        ("| kiến nghị: chỉ có kiến nghị", ("", "chỉ có kiến nghị")),
        ("Đã họp | kiến nghị:", ("Đã họp", "")),
        ("Đã họp | ghi chú thêm", ("Đã họp | ghi chú thêm", None)),
        ("kiến nghị: không có dấu gạch", ("kiến nghị: không có dấu gạch", None)),
        ("", ("", None)),
    ],
)
def test_split_recommendation(text: str, expected: tuple[str, str | None]) -> None:
    assert split_recommendation(text) == expected


def test_decomposed_input_comes_back_composed() -> None:
    text = unicodedata.normalize("NFD", "Đã họp | kiến nghị: bổ sung")
    assert split_recommendation(text) == ("Đã họp", "bổ sung")


@pytest.mark.parametrize("text", ["Không", "không có", "khong", "No.", "none", "-"])
def test_typed_no(text: str) -> None:
    assert is_no_recommendation(text)


@pytest.mark.parametrize("text", ["Không có kinh phí", "Đề nghị bổ sung", "1"])
def test_a_recommendation_is_not_a_no(text: str) -> None:
    assert not is_no_recommendation(text)
