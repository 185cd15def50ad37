"""Progress rules: 0–100, done at 100, no silent rollback of a completed task."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.progress import ProgressError, check_progress, plan_progress


@pytest.mark.parametrize("value", [0, 1, 50, 99, 100])
def test_values_from_0_to_100_are_accepted(value: int) -> None:
    assert check_progress(value) == value


@pytest.mark.parametrize("value", [-1, 101, 1000])
def test_values_outside_0_to_100_are_refused(value: int) -> None:
    with pytest.raises(ProgressError) as caught:
        check_progress(value)
    assert caught.value.code == "progress_out_of_range"
    assert caught.value.params == {"value": value}


def test_reaching_100_completes_an_open_task() -> None:
    change = plan_progress(60, False, 100)
    assert (change.old, change.new, change.completes) == (60, 100, True)


def test_progress_may_go_down_while_the_task_is_open() -> None:
    change = plan_progress(60, False, 40)
    assert change.new == 40 and not change.completes


def test_a_completed_task_is_not_rolled_back() -> None:
    with pytest.raises(ProgressError) as caught:
        plan_progress(100, True, 80)
    assert caught.value.code == "task_already_done"


def test_reporting_100_again_on_a_done_task_does_not_complete_it_twice() -> None:
    change = plan_progress(100, True, 100)
    assert not change.completes


@given(st.integers(0, 100), st.booleans(), st.integers(-10, 110))
def test_plan_progress_never_completes_twice_nor_accepts_out_of_range(
    current: int, completed: bool, new: int
) -> None:
    try:
        change = plan_progress(current, completed, new)
    except ProgressError:
        assert not 0 <= new <= 100 or (completed and new < 100)
        return
    assert 0 <= change.new <= 100
    assert change.completes == (new == 100 and not completed)
