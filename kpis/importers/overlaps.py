"""The overlap check of aggregate reports: a report whose days overlap a report of another
period type (a week across a month's end, a month and the week holding its first day), for
the same partner, channel and an overlapping scope, would count the same contacts twice.
Refused, whether the other report is in the same file or already stored (docs/imports.md,
"One period type for a period")."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import (
    Case,
    CharField,
    DateField,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat, Trunc
from django.db.models.lookups import Exact

from kpis.importers.state import ImportRun
from kpis.models import AggregateReport, StagedRow
from kpis.periods import Period, PeriodType
from kpis.rows import Problem
from partners.models import Agent

PERIOD_WORDS = {
    PeriodType.DAY: "daily",
    PeriodType.WEEK: "weekly",
    PeriodType.MONTH: "monthly",
    PeriodType.QUARTER: "quarterly",
}


class OverlapCheck(ImportRun):
    """Refuses aggregate rows that overlap another report of another period type."""

    def check_overlapping_periods(self) -> None:
        """A report whose days overlap a report of another period type, for the same partner
        and channel and an overlapping scope (the same agent; or a whole channel and any of
        its agents), would count the same contacts twice: refused, whether the other report
        is in this file or already stored (docs/imports.md, "One period type for a period").
        Reports of one type never overlap: the same type and start is the same report, and
        sending it again updates it.

        One query, whatever the number of rows. Each staged row looks up, per scope, the first
        overlapping row of the file and the first overlapping stored report (`_overlapping`):
        each lookup is on an index's prefix (the batch, partner and agent of staged rows; the
        partner, channel and agent of stored reports), so it reads one agent's reports, not
        the partner's. A row in conflict with both is told about the one in the file. The
        other report comes back as one string (dates as ISO text on both databases), so that
        its lookup runs once."""
        same_channel = {"partner_id": OuterRef("partner_id"), "channel": OuterRef("channel")}
        whole_channel_here = Exact(OuterRef("agent_key"), Value(""))
        in_file = StagedRow.objects.filter(batch=self.batch, **same_channel).filter(_overlapping())
        file_row = Concat(
            Cast("row", CharField()), Value("|"), "period_type", Value("|"),
            Cast("period_start", CharField()), Value("|"), "agent_key",
            output_field=CharField(),
        )  # fmt: skip
        stored = AggregateReport.objects.filter(**same_channel).filter(_overlapping())
        # The agent's id, so that its stored reports are found on the unique index's prefix.
        agent_pk = Agent.objects.filter(
            partner_id=OuterRef("partner_id"), external_id=OuterRef("agent_key")
        ).values("pk")[:1]
        stored_report = Concat(
            "period_type", Value("|"), Cast("period_start", CharField()), Value("|"),
            Coalesce("agent__external_id", Value("")),
            output_field=CharField(),
        )  # fmt: skip

        def first(queryset: QuerySet[Any], description: Concat) -> Subquery:
            ordered = queryset.annotate(description=description).order_by("period_start", "pk")
            return Subquery(ordered.values("description")[:1])

        # Per scope, so that each lookup is an index range: the row's own agent (or whole
        # channel), then the whole channel, then (for a whole-channel row) any agent.
        rows = (
            self.staged.annotate(
                **_containing_starts(), next_start=_next_start(), agent_pk=Subquery(agent_pk)
            )
            .annotate(
                file_other=Coalesce(
                    first(in_file.filter(agent_key=OuterRef("agent_key")), file_row),
                    first(in_file.filter(agent_key=""), file_row),
                    first(in_file.filter(whole_channel_here, agent_key__gt=""), file_row),
                ),
                stored_other=Coalesce(
                    first(stored.filter(agent_id=OuterRef("agent_pk")), stored_report),
                    first(stored.filter(agent__isnull=True), stored_report),
                    first(stored.filter(whole_channel_here, agent__isnull=False), stored_report),
                ),
            )
            .filter(Q(file_other__isnull=False) | Q(stored_other__isnull=False))
            .order_by("row")
        )
        for staged in rows.iterator():
            if staged.file_other is not None:
                row, other_type, other_start, other_agent = staged.file_other.split("|", 3)
                file_row_number: int | None = int(row)
            else:
                other_type, other_start, other_agent = staged.stored_other.split("|", 2)
                file_row_number = None
            self.log.add(
                self._overlap_problem(
                    staged,
                    other_type,
                    date.fromisoformat(other_start),
                    other_agent,
                    file_row=file_row_number,
                )
            )
            if self.log.full:
                return

    def _overlap_problem(
        self,
        staged: StagedRow,
        other_type: str,
        other_start: date,
        other_agent: str,
        *,
        file_row: int | None,
    ) -> Problem:
        """The refusal of a staged row overlapping another report: a row of this import
        (`file_row`) or a stored report."""
        assert staged.period_start is not None  # every staged aggregate row has one
        period = Period(PeriodType(staged.period_type), staged.period_start)
        other = Period(PeriodType(other_type), other_start)
        other_kind = PERIOD_WORDS[other.type]
        remedy = "send one period type for a period"
        if other_agent != staged.agent_key:
            remedy += ", and either per-agent or whole-channel numbers"
        if file_row is None:
            where = "stored"
            remedy += f" (a corrected {other_kind} report replaces the stored one)"
        else:
            where = f"row {file_row:,} of this import"
        return Problem(
            staged.row,
            self.reader.label("period_start"),
            str(staged.period_start),
            f"{self.partners[staged.partner_id].name} already has a {other_kind} "
            f"{staged.channel} report {_scope(other_agent)} covering {_days(other)} ({where}); "
            f"a {PERIOD_WORDS[period.type]} report {_scope(staged.agent_key)} covering "
            f"{_days(period)} would count those contacts twice: {remedy}",
        )


def _containing_starts() -> dict[str, F | Trunc]:
    """`in_<type>`: the first day of the day, week, month and quarter holding a report's first
    day (weeks are ISO weeks: Trunc starts them on Monday, on SQLite and PostgreSQL)."""
    starts: dict[str, F | Trunc] = {f"in_{PeriodType.DAY}": F("period_start")}
    for t in (PeriodType.WEEK, PeriodType.MONTH, PeriodType.QUARTER):
        starts[f"in_{t}"] = Trunc("period_start", t.value, output_field=DateField())
    return starts


def _next_start() -> Case:
    """The day after a report's last day: the start of the next period of its type, which
    holds the day `max_days` after its first day (`kpis.periods.Period.next`)."""
    return Case(
        *(
            When(
                period_type=t.value,
                then=Trunc(
                    Cast(F("period_start") + timedelta(days=t.max_days), DateField()),
                    t.value,
                    output_field=DateField(),
                ),
            )
            for t in PeriodType
        ),
        output_field=DateField(),
    )


def _overlapping() -> Q:
    """Reports whose days overlap those of the outer report (annotated with
    `_containing_starts` and `_next_start`) and of another period type.

    A report of type T shares a day with the outer report when it starts before the day
    after the outer report's last day, and no earlier than the T holding the outer report's
    first day (any earlier T ends before that day). So a week across a month's end overlaps
    both months, and a month overlaps the week that holds its first day."""
    # Cheap tests first, date arithmetic last: SQLite evaluates them in this order, and a
    # report of the outer one's own type (most of them) is passed over at the first test.
    overlap = Q()
    for t in PeriodType:
        overlap |= Q(period_type=t.value) & Q(
            period_start__gte=OuterRef(f"in_{t.value}"),
            period_start__lt=OuterRef("next_start"),
        )
    return ~Q(period_type=OuterRef("period_type")) & overlap


def _scope(agent_key: str) -> str:
    return f"for agent {agent_key}" if agent_key else "for the whole channel"


def _days(period: Period) -> str:
    """The days of a period in words: '5 March 2026', '2-8 March 2026',
    '30 March to 5 April 2026', '29 December 2025 to 4 January 2026'."""
    start, end = period.start, period.end
    if start == end:
        return f"{end.day} {end:%B %Y}"
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}-{end.day} {end:%B %Y}"
    if start.year == end.year:
        return f"{start.day} {start:%B} to {end.day} {end:%B %Y}"
    return f"{start.day} {start:%B %Y} to {end.day} {end:%B %Y}"
