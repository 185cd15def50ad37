"""Vietnamese phone numbers in one canonical form (phone-number registration)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.phone import canonical_phone

PREFIXES = ("0", "84", "+84", "0084", "+84 (0)", "84 0")
SEPARATORS = st.sampled_from(["", " ", ".", "-", "  "])
MOBILE = st.from_regex(r"[35789][0-9]{8}", fullmatch=True)
LANDLINE = st.from_regex(r"2[0-9]{9}", fullmatch=True)


def _written(number: str, prefix: str, separator: str) -> str:
    """``number`` as an office might write it: a prefix, then groups of three digits."""
    groups = [number[i : i + 3] for i in range(0, len(number), 3)]
    return prefix + separator + separator.join(groups)


@given(st.one_of(MOBILE, LANDLINE), st.sampled_from(PREFIXES), SEPARATORS)
def test_every_written_form_has_the_same_canonical_number(
    number: str, prefix: str, separator: str
) -> None:
    assert canonical_phone(_written(number, prefix, separator)) == f"+84{number}"


@given(st.text())
def test_anything_gives_a_canonical_number_or_none(text: str) -> None:
    result = canonical_phone(text)
    assert result is None or (result.startswith("+84") and result[1:].isdigit())
    if result is not None:
        assert canonical_phone(result) == result


def test_not_vietnamese_or_wrong_length() -> None:
    for text in (
        "",
        "abc",
        "+1 555 123 4567",
        "091234567",
        "09123456789012",
        "912345678",
        "0012345678",
        "+84 0123 456 78",
        "٠٩١٢٣٤٥٦٧٨",
    ):
        assert canonical_phone(text) is None, text
