"""The task list's filters: reading a query string, and the tasks they select."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qsl, urlsplit

from hypothesis import given
from hypothesis import strategies as st

from bot.services.task_query import (
    FIELDS,
    SORT_KEYS,
    SortOrder,
    TaskFilters,
    matches,
    parse_date,
    parse_filters,
    search_words,
)
from bot.status import Status
from bot.web.views import Pager, task_list_url


def test_an_empty_query_string_selects_everything_on_page_one() -> None:
    parsed = parse_filters({})
    assert parsed.filters == TaskFilters()
    assert not parsed.filters.active
    assert parsed.page == 1 and parsed.problems == ()


def test_every_field_is_read() -> None:
    parsed = parse_filters(
        {
            "unit": " stc ",
            "leader": "ld-01",
            "source": " 45/NQ-HĐND ",
            "status": "overdue",
            "from": "2025-12-01",
            "to": "31/12/2025",
            "q": "  tài   chính ",
            "page": "3",
        }
    )
    assert parsed.filters == TaskFilters(
        unit="STC",
        leader="LD-01",
        source="45/NQ-HĐND",
        status=Status.OVERDUE,
        deadline_from=dt.date(2025, 12, 1),
        deadline_to=dt.date(2025, 12, 31),
        q="tài chính",
    )
    assert parsed.page == 3 and parsed.problems == ()
    assert parsed.entered["unit"] == "stc"  # shown as typed


def test_bad_values_are_named_and_the_other_filters_kept() -> None:
    parsed = parse_filters(
        {
            "status": "late",
            "from": "32/12/2025",
            "to": "hôm qua",
            "page": "0",
            "unit": "SXD",
            "q": "x" * 201,
        }
    )
    assert set(parsed.problems) == {"status", "from", "to", "page", "q"}
    assert parsed.filters == TaskFilters(unit="SXD")
    assert parsed.page == 1
    assert parse_filters({"page": "²"}).problems == ("page",)  # a digit int() cannot read


def test_the_sort_order_is_read_and_toggled() -> None:
    assert parse_filters({}).sort == SortOrder("deadline", descending=False)
    assert parse_filters({"sort": " -progress "}).sort == SortOrder("progress", descending=True)
    assert parse_filters({"sort": "unit"}).sort == SortOrder("unit")
    for wrong in ("title", "--code", "-", "Deadline", "progress-"):
        parsed = parse_filters({"sort": wrong, "status": "overdue"})
        assert parsed.problems == ("sort",), wrong
        assert parsed.sort == SortOrder() and parsed.filters.status == Status.OVERDUE
    assert SortOrder().param == "" and SortOrder("deadline", True).param == "-deadline"
    assert SortOrder().toggled("deadline") == SortOrder("deadline", True)
    assert SortOrder("deadline", True).toggled("deadline") == SortOrder()
    assert SortOrder("code", True).toggled("progress") == SortOrder("progress")


def test_a_range_ending_before_it_starts_drops_its_end() -> None:
    parsed = parse_filters({"from": "2025-12-31", "to": "2025-12-01"})
    assert parsed.problems == ("range",)
    assert parsed.filters.deadline_from == dt.date(2025, 12, 31)
    assert parsed.filters.deadline_to is None


def test_dates_in_both_spellings() -> None:
    assert parse_date("2025-12-08") == parse_date("8/12/2025") == dt.date(2025, 12, 8)
    for wrong in ("2025-13-01", "8-12-25", "", "2025-12-8x"):
        try:
            parse_date(wrong)
        except ValueError:
            continue
        raise AssertionError(wrong)


def test_search_ignores_diacritics_and_case_and_matches_every_word() -> None:
    title = "Báo cáo quyết toán ngân sách của Sở Tài chính"
    assert matches(search_words("tai chinh"), "NV-01", title)
    assert matches(search_words("QUYET toan"), "NV-01", title)
    assert matches(search_words("nv-01"), "NV-01", title)
    assert not matches(search_words("tai chinh xay dung"), "NV-01", title)
    assert matches(search_words(""), "NV-01", title)


FIELD_VALUES = {
    "unit": st.sampled_from(["", "STC", "sxd", "x" * 65]),
    "leader": st.sampled_from(["", "LD-01", "x" * 70]),
    "source": st.text(max_size=40),
    "status": st.sampled_from(["", *(s.value for s in Status), "late", "OVERDUE"]),
    "from": st.one_of(st.dates().map(dt.date.isoformat), st.text(max_size=12)),
    "to": st.one_of(st.dates().map(lambda d: d.strftime("%d/%m/%Y")), st.text(max_size=12)),
    "q": st.text(max_size=250),
    "page": st.one_of(st.integers(-5, 200_000).map(str), st.text(max_size=6)),
    "sort": st.one_of(
        st.sampled_from(["", *SORT_KEYS, *(f"-{key}" for key in SORT_KEYS), "-", "--code"]),
        st.text(max_size=10),
    ),
}


@given(st.fixed_dictionaries({}, optional=FIELD_VALUES))
def test_any_query_string_parses_and_its_link_reads_back_the_same(params: dict[str, str]) -> None:
    """No input raises; a link made from the applied filters gives the same filters again."""
    parsed = parse_filters(params)
    assert set(parsed.problems) <= {*FIELDS, "range", "page", "sort"}
    assert parsed.page >= 1
    link = task_list_url(parsed.filters.params(), page=parsed.page, sort=parsed.sort.param)
    again = parse_filters(dict(parse_qsl(urlsplit(link).query)))
    assert again.filters == parsed.filters
    assert again.page == parsed.page
    assert again.sort == parsed.sort
    assert again.problems == ()


def test_the_pager_clamps_and_shows_pages_near_the_current_one() -> None:
    pager = Pager(total=520, page=7, size=50)
    assert pager.last == 11 and pager.current == 7 and pager.first == 300
    assert pager.window() == [1, 4, 5, 6, 7, 8, 9, 10, 11]
    past = Pager(total=120, page=9, size=50)
    assert past.current == 3 and past.first == 100
    assert Pager(total=0, page=1, size=50).last == 1
    assert task_list_url({"status": "overdue"}, page=1) == "/tasks?status=overdue"
    assert task_list_url({}) == "/tasks"
