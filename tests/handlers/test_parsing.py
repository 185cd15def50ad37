"""The text parsers: examples, and hypothesis with arbitrary Unicode."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.folding import fold
from handlers.parsing import (
    ParsedReport,
    ParseError,
    command_key,
    is_task_code,
    parse_date,
    parse_percent,
    parse_report_line,
)
from handlers.texts import TEXTS


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("NV-01 60 Đã trình dự thảo lên UBND", ("NV-01", 60, "Đã trình dự thảo lên UBND")),
        ("NV-01 60% note", ("NV-01", 60, "note")),
        ("nv-01: 60 %, note", ("NV-01", 60, "note")),
        ("NQ-01 80% đã xong dự thảo", ("NQ-01", 80, "đã xong dự thảo")),
        ("QH-2050 5%Đã xong", ("QH-2050", 5, "Đã xong")),
        ("KH-DTC-2026 100", ("KH-DTC-2026", 100, "")),
        ("NV-12 - 75% - chờ thẩm định", ("NV-12", 75, "chờ thẩm định")),
        ("  NV-01   0  ", ("NV-01", 0, "")),
        ("NV-01 150 quá", ("NV-01", 150, "quá")),
    ],
)
def test_report_lines(text: str, expected: tuple[str, int, str]) -> None:
    assert parse_report_line(text) == ParsedReport(*expected)


@pytest.mark.parametrize(
    "text",
    [
        "chào bot",
        "NV-01",
        "NV-01 gần xong",
        "NV-01 60.5% x",
        "NV-01 6000",
        "NV-01 60abc",
        "KH-DTC-01",
        "NV-01-60 note",
        "Báo cáo NV-01 60%",
        "45/NQ-HĐND 60",
        "",
    ],
)
def test_not_report_lines(text: str) -> None:
    assert parse_report_line(text) is None


@pytest.mark.parametrize(("text", "value"), [("60", 60), ("60%", 60), (" 60 % ", 60), ("0", 0)])
def test_percent(text: str, value: int) -> None:
    assert parse_percent(text) == value


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("101", "percent_range"),
        ("-5", "percent_invalid"),
        ("sáu mươi", "percent_invalid"),
        ("60.5", "percent_invalid"),
        ("", "percent_invalid"),
        ("٦٠", "percent_invalid"),
    ],
)
def test_bad_percent(text: str, code: str) -> None:
    with pytest.raises(ParseError) as raised:
        parse_percent(text)
    assert raised.value.code == code


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("31/12/2025", dt.date(2025, 12, 31)),
        ("1/3/2026", dt.date(2026, 3, 1)),
        ("01-03-2026", dt.date(2026, 3, 1)),
        ("01.03.2026", dt.date(2026, 3, 1)),
        ("2026-03-01", dt.date(2026, 3, 1)),
        ("29/02/2028", dt.date(2028, 2, 29)),
    ],
)
def test_dates(text: str, day: dt.date) -> None:
    assert parse_date(text) == day


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("31/02/2026", "date_impossible"),
        ("29/02/2026", "date_impossible"),
        ("00/01/2026", "date_impossible"),
        ("15/13/2025", "date_impossible"),
        ("2026/03/01", "date_format"),
        ("31/12/25", "date_format"),
        ("mai", "date_format"),
        ("01/03-2026", "date_format"),
    ],
)
def test_bad_dates(text: str, code: str) -> None:
    with pytest.raises(ParseError) as raised:
        parse_date(text)
    assert raised.value.code == code


CODES = st.from_regex(r"[A-Z]{1,4}(-[A-Z]{1,4})?-[0-9]{1,4}", fullmatch=True)
NOTES = (
    st.text()
    .map(str.strip)
    .filter(lambda note: not note or (note[0] not in ",.;:–—-%" and not note[0].isdigit()))
)


@given(st.text())
def test_report_line_never_raises(text: str) -> None:
    result = parse_report_line(text)
    assert result is None or (is_task_code(result.code) and 0 <= result.percent <= 999)


@given(CODES, st.integers(0, 100), st.sampled_from(["", "%", " %"]), NOTES)
def test_report_line_round_trip(code: str, percent: int, sign: str, note: str) -> None:
    text = f"{code.lower()} {percent}{sign} {note}"
    assert parse_report_line(text) == ParsedReport(code, percent, note)


@given(st.text())
def test_percent_only_parse_errors(text: str) -> None:
    try:
        value = parse_percent(text)
    except ParseError as exc:
        assert exc.code in ("percent_invalid", "percent_range")
        assert TEXTS.t(f"parse.{exc.code}", "en", **exc.params)
    else:
        assert 0 <= value <= 100


@given(st.integers(0, 100), st.sampled_from(["", "%", " %"]))
def test_percent_round_trip(value: int, sign: str) -> None:
    assert parse_percent(f" {value}{sign} ") == value


@given(st.text())
def test_date_only_parse_errors(text: str) -> None:
    try:
        parse_date(text)
    except ParseError as exc:
        assert exc.code in ("date_format", "date_impossible")
        for lang in ("vi", "en"):  # the message renders whatever was typed (and the
            # example date the handler adds)
            assert TEXTS.t(f"parse.{exc.code}", lang, **exc.params, date="29/12/2025")


@given(st.dates(dt.date(1000, 1, 1), dt.date(9999, 12, 31)), st.sampled_from(["/", "-", "."]))
def test_date_round_trip(day: dt.date, sep: str) -> None:
    assert parse_date(f"{day.day:02d}{sep}{day.month:02d}{sep}{day.year}") == day
    assert parse_date(f"{day.day}/{day.month}/{day.year}") == day
    assert parse_date(day.isoformat()) == day


# Vietnamese letters with their plain forms: every tone and vowel mark, both cases.
_ACCENTED = {
    "a": "aàáảãạăằắẳẵặâầấẩẫậAÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬ",
    "e": "eèéẻẽẹêềếểễệEÈÉẺẼẸÊỀẾỂỄỆ",
    "i": "iìíỉĩịIÌÍỈĨỊ",
    "o": "oòóỏõọôồốổỗộơờớởỡợOÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢ",
    "u": "uùúủũụưừứửữựUÙÚỦŨỤƯỪỨỬỮỰ",
    "y": "yỳýỷỹỵYỲÝỶỸỴ",
    "d": "dđDĐ",
}
_PLAIN = "bcghklmnpqrstvx"


@st.composite
def accented(draw: st.DrawFn, plain: str) -> str:
    """``plain`` (a-z) spelt with any diacritics and case an official might use."""
    out = []
    for ch in plain:
        spellings = _ACCENTED.get(ch, ch + ch.upper())
        out.append(draw(st.sampled_from(spellings)))
    return "".join(out)


@given(st.text(alphabet=_PLAIN + "".join(_ACCENTED), min_size=1, max_size=20).flatmap(accented))
def test_fold_forgets_diacritics_and_case(text: str) -> None:
    assert fold(text).isascii() and fold(text) == fold(text).lower()
    assert fold(fold(text)) == fold(text)


@given(st.sampled_from(["baocao", "xong", "giahan", "donvi", "kenh", "tonghop"]).flatmap(accented))
def test_command_names_match_with_or_without_diacritics(name: str) -> None:
    assert command_key(name) == fold(name) == command_key(fold(name))


@given(st.text())
def test_fold_and_command_key_accept_any_unicode(text: str) -> None:
    folded = fold(text)
    assert "  " not in folded and folded == folded.strip()
    assert " " not in command_key(text) and "_" not in command_key(text)


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("báocáo", "baocao"),
        ("Báo_Cáo", "baocao"),
        ("BÁO CÁO", "baocao"),
        ("đồngý", "dongy"),
        ("kênh", "kenh"),
        ("giahạn", "giahan"),
        ("ĐƠNVỊ", "donvi"),
    ],
)
def test_command_key_examples(typed: str, key: str) -> None:
    assert command_key(typed) == key
