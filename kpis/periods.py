"""Measurement periods: day, ISO week (Monday to Sunday), calendar month, calendar quarter.

Pure: standard library only. A period is identified by its type and its first day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


class PeriodType(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"

    @property
    def max_days(self) -> int:
        """The longest such period: an aggregate report spanning more days cannot count in it."""
        return {"day": 1, "week": 7, "month": 31, "quarter": 92}[self.value]


@dataclass(frozen=True, order=True)
class Period:
    type: PeriodType
    start: date

    @classmethod
    def containing(cls, type_: PeriodType, day: date) -> Period:
        if type_ is PeriodType.DAY:
            start = day
        elif type_ is PeriodType.WEEK:
            start = day - timedelta(days=day.weekday())
        elif type_ is PeriodType.MONTH:
            start = day.replace(day=1)
        else:
            start = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
        return cls(type_, start)

    @classmethod
    def parse(cls, type_: str, start: str) -> Period:
        """A period from its type and first day as given by a user; raises ValueError."""
        try:
            period_type = PeriodType(type_)
        except ValueError:
            choices = ", ".join(t.value for t in PeriodType)
            raise ValueError(f"'{type_}' is not a period type; use one of {choices}.") from None
        try:
            day = date.fromisoformat(start)
        except ValueError:
            raise ValueError(f"'{start}' is not a date (YYYY-MM-DD).") from None
        period = cls.containing(period_type, day)
        if period.start != day:
            raise ValueError(
                f"{day} does not start a {period_type.value}; that {period_type.value} starts "
                f"on {period.start}."
            )
        return period

    @property
    def end(self) -> date:
        """The last day of the period (inclusive)."""
        return self.next().start - timedelta(days=1)

    @property
    def days(self) -> int:
        return (self.next().start - self.start).days

    def next(self) -> Period:
        if self.type is PeriodType.DAY:
            return Period(self.type, self.start + timedelta(days=1))
        if self.type is PeriodType.WEEK:
            return Period(self.type, self.start + timedelta(days=7))
        months = 1 if self.type is PeriodType.MONTH else 3
        index = self.start.year * 12 + self.start.month - 1 + months
        return Period(self.type, date(index // 12, index % 12 + 1, 1))

    def previous(self) -> Period:
        return Period.containing(self.type, self.start - timedelta(days=1))

    def last(self, count: int) -> list[Period]:
        """The `count` periods ending with this one, oldest first."""
        periods = [self]
        while len(periods) < count:
            periods.append(periods[-1].previous())
        return periods[::-1]

    @property
    def label(self) -> str:
        if self.type is PeriodType.DAY:
            return self.start.strftime("%a %d %b %Y")
        if self.type is PeriodType.WEEK:
            year, week, _ = self.start.isocalendar()
            return f"{year}-W{week:02d} ({self.start:%d %b})"
        if self.type is PeriodType.MONTH:
            return self.start.strftime("%B %Y")
        return f"Q{(self.start.month - 1) // 3 + 1} {self.start.year}"

    @property
    def short_label(self) -> str:
        if self.type is PeriodType.WEEK:
            year, week, _ = self.start.isocalendar()
            return f"W{week:02d}"
        if self.type is PeriodType.MONTH:
            return self.start.strftime("%b %y")
        if self.type is PeriodType.QUARTER:
            return f"Q{(self.start.month - 1) // 3 + 1} {self.start:%y}"
        return self.start.strftime("%d %b")


def periods_between(type_: PeriodType, first: date, last: date) -> list[Period]:
    """Every period of `type_` that overlaps the days first..last, oldest first."""
    period = Period.containing(type_, first)
    result = []
    while period.start <= last:
        result.append(period)
        period = period.next()
    return result
