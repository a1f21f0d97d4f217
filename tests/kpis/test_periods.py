from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpis.periods import Period, PeriodType, periods_between


@pytest.mark.parametrize(
    ("period_type", "day", "start", "end"),
    [
        (PeriodType.DAY, date(2026, 3, 5), date(2026, 3, 5), date(2026, 3, 5)),
        (PeriodType.WEEK, date(2026, 3, 5), date(2026, 3, 2), date(2026, 3, 8)),
        (PeriodType.WEEK, date(2027, 1, 1), date(2026, 12, 28), date(2027, 1, 3)),
        (PeriodType.MONTH, date(2024, 2, 15), date(2024, 2, 1), date(2024, 2, 29)),
        (PeriodType.QUARTER, date(2026, 11, 23), date(2026, 10, 1), date(2026, 12, 31)),
    ],
)
def test_a_day_belongs_to_one_period_of_each_type(period_type, day, start, end):
    period = Period.containing(period_type, day)
    assert (period.start, period.end) == (start, end)


def test_next_and_previous_walk_across_year_ends():
    december = Period(PeriodType.MONTH, date(2026, 12, 1))
    assert december.next() == Period(PeriodType.MONTH, date(2027, 1, 1))
    assert december.next().previous() == december
    q4 = Period(PeriodType.QUARTER, date(2026, 10, 1))
    assert q4.next().start == date(2027, 1, 1)


def test_last_n_periods_end_with_this_one_oldest_first():
    periods = Period(PeriodType.MONTH, date(2026, 2, 1)).last(3)
    assert [p.start for p in periods] == [date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1)]


def test_labels():
    assert Period(PeriodType.WEEK, date(2026, 11, 16)).label == "2026-W47 (16 Nov)"
    assert Period(PeriodType.QUARTER, date(2026, 10, 1)).label == "Q4 2026"
    assert Period(PeriodType.MONTH, date(2026, 10, 1)).short_label == "Oct 26"


def test_parse_refuses_a_day_that_does_not_start_the_period():
    with pytest.raises(ValueError, match="2026-11-18 does not start a week; that week starts on"):
        Period.parse("week", "2026-11-18")
    with pytest.raises(ValueError, match="'fortnight' is not a period type"):
        Period.parse("fortnight", "2026-11-16")
    assert Period.parse("month", "2026-11-01").days == 30


def test_periods_between_cover_the_range():
    weeks = periods_between(PeriodType.WEEK, date(2026, 11, 4), date(2026, 11, 17))
    assert [w.start for w in weeks] == [date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 16)]


@given(day=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)))
def test_every_day_lies_in_its_period_and_periods_tile_the_calendar(day):
    for period_type in PeriodType:
        period = Period.containing(period_type, day)
        assert period.start <= day <= period.end
        assert period.days <= period_type.max_days
        assert period.next().start == period.end.fromordinal(period.end.toordinal() + 1)
