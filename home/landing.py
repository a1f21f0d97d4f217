"""Reads for the landing pages: what each role needs to see first.

- A partner's people: the plans, calibration actions and QBR actions they owe
  (`partner_work`).
- The program manager's Monday: where each partner stands by governed KPI, this month
  against last and this week against the week before (`standing_grid`); the settlements of
  ended months waiting for approval; and what needs attention (`program_attention`):
  sessions due or overdue, calibration and QBR actions overdue, exit criteria near.
- A QA reviewer: their own agreement and bias over their last revealed sessions
  (`calibration.selectors.reviewer_alignment`).

Each read costs a fixed number of queries whatever the number of partners and rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Q

from calibration.models import CalibrationSession, OutcomeItem, OutcomeStatus, SessionStatus
from core.scoping import Viewer, scope
from home.models import ActionItem, ItemStatus
from home.selectors import CHANNEL_LABELS, KpiMonth, KpiRow, action_items
from kpis.domain import Counts, Kpi, KpiValue, Unit, change, improved, kpi_values
from kpis.models import KpiSnapshot
from kpis.periods import Period, PeriodType
from partners.models import Channel, Partner
from sla import domain as sla_domain
from sla.models import (
    BandStatus,
    ExitCriterion,
    PlanStatus,
    RemediationPlan,
    Settlement,
    SettlementStatus,
)

# How far ahead the program manager sees calibration sessions coming due.
SESSIONS_AHEAD = timedelta(days=7)


# A PARTNER'S WORK
# ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartnerWork:
    """What a partner's people have to do, soonest due first: the partner's open remediation
    plans, the calibration outcome items the viewer owns, and the QBR actions the partner's
    side owns."""

    plans: list[RemediationPlan]
    outcomes: list[OutcomeItem]
    actions: list[ActionItem]
    today: date

    @property
    def overdue(self) -> int:
        dues = [i.due_date for i in self.plans] + [i.due_date for i in self.outcomes]
        dues += [i.due_date for i in self.actions]
        return sum(1 for due in dues if due < self.today)


def partner_work(viewer: Viewer, today: date) -> PartnerWork:
    """Three queries."""
    plans = list(
        scope(RemediationPlan, viewer)
        .filter(status=PlanStatus.OPEN)
        .select_related("partner_owner")
        .order_by("due_date", "pk")
    )
    outcomes = list(
        scope(OutcomeItem, viewer)
        .filter(owner=viewer.user, status=OutcomeStatus.OPEN)
        .select_related("session")
        .order_by("due_date", "pk")
        if viewer.user is not None
        else []
    )
    actions = list(action_items(viewer).filter(status=ItemStatus.OPEN).order_by("due_date", "pk"))
    return PartnerWork(plans, outcomes, actions, today)


# THE PROGRAM MANAGER'S MONDAY
# ------------------------------------------------------------------------------


@dataclass(frozen=True)
class WeekMove:
    """A governed KPI's last complete week against the week before: the value, the change
    in the KPI's unit and whether that is better (None: unchanged or not comparable)."""

    value: KpiValue
    delta: Decimal | None
    improved: bool | None


@dataclass
class StandingRow(KpiRow):
    week: WeekMove | None = None


@dataclass(frozen=True)
class GridRow:
    """One partner and channel of the grid: a cell per column KPI (None: not governed)."""

    partner: Partner
    channel_label: str
    cells: list[StandingRow | None]


@dataclass(frozen=True)
class Grid:
    """Partner × channel rows, one column per governed KPI, with the weeks compared."""

    week: Period
    columns: list[tuple[str, str]]  # (kpi, label)
    rows: list[GridRow]

    @property
    def partners(self) -> list[tuple[Partner, list[GridRow]]]:
        grouped: dict[int, tuple[Partner, list[GridRow]]] = {}
        for row in self.rows:
            grouped.setdefault(row.partner.pk, (row.partner, []))[1].append(row)
        return list(grouped.values())


# The precision a change is read at: a tenth of a point for shares, whole seconds and points.
CHANGE_STEP = {Unit.PERCENT: Decimal("0.001"), Unit.SECONDS: Decimal(1), Unit.SCORE: Decimal(1)}


def shown_change(current: KpiValue, previous: KpiValue) -> Decimal | None:
    """The change as a reader sees it: a move that rounds to nothing is no move."""
    delta = change(current, previous)
    if delta is None:
        return None
    step = CHANGE_STEP.get(current.definition.unit, Decimal("0.01"))
    return delta.quantize(step, rounding=ROUND_HALF_UP)


def _weekly_values(
    viewer: Viewer, partner_ids: set[int], today: date
) -> tuple[Period, dict[tuple[int, str], tuple[dict[Kpi, KpiValue], dict[Kpi, KpiValue]]]]:
    """Partner-level KPI values of the last complete week and the week before, by partner
    and channel (one query)."""
    week = Period.containing(PeriodType.WEEK, today).previous()
    before = week.previous()
    counts: dict[tuple[int, str], dict[date, Counts]] = defaultdict(dict)
    for snapshot in scope(KpiSnapshot, viewer).filter(
        agent__isnull=True,
        period_type=PeriodType.WEEK.value,
        period_start__in=[week.start, before.start],
        partner_id__in=partner_ids,
    ):
        counts[(snapshot.partner_id, snapshot.channel)][snapshot.period_start] = snapshot.counts
    return week, {
        key: (
            kpi_values(by_week.get(week.start, Counts()), period_days=7),
            kpi_values(by_week.get(before.start, Counts()), period_days=7),
        )
        for key, by_week in counts.items()
    }


def standing_grid(viewer: Viewer, today: date) -> Grid:
    """Each partner and channel against its governed KPIs: last month's band, this month's
    so far and the move between them, and the last complete week against the week before,
    in words and an arrow (two queries)."""
    this_month = Period.containing(PeriodType.MONTH, today)
    last_month = this_month.previous()
    statuses: dict[tuple[int, str, str], dict[date, BandStatus]] = defaultdict(dict)
    partners: dict[int, Partner] = {}
    for status in (
        scope(BandStatus, viewer)
        .filter(month__in=[last_month.start, this_month.start])
        .select_related("partner")
        .order_by("partner__name", "partner_id", "channel", "kpi")
    ):
        statuses[(status.partner_id, status.channel, status.kpi)][status.month] = status
        partners[status.partner_id] = status.partner
    week, weekly = _weekly_values(viewer, set(partners), today)
    cells: dict[tuple[int, str], dict[str, StandingRow]] = defaultdict(dict)
    for (partner_id, channel, kpi), by_month in statuses.items():
        cell = StandingRow(
            channel=channel,
            channel_label=CHANNEL_LABELS.get(channel, channel),
            kpi=kpi,
            kpi_label=sla_domain.governable(kpi).label,
            months=[KpiMonth(this_month.start, by_month.get(this_month.start))],
            previous=by_month.get(last_month.start),
        )
        values = weekly.get((partner_id, channel))
        if values is not None and kpi in Kpi._value2member_map_:
            this_week, last_week = values[0][Kpi(kpi)], values[1][Kpi(kpi)]
            if this_week.value is not None:
                delta = shown_change(this_week, last_week)
                cell.week = WeekMove(this_week, delta, improved(Kpi(kpi), delta))
        cells[(partner_id, channel)][kpi] = cell
    governed = {kpi for (_, _, kpi) in statuses}
    # One column per governed KPI, in the order of the KPI definitions (CSAT, FCR, ...).
    columns = [(k, g.label) for k, g in sla_domain.GOVERNABLE.items() if k in governed]
    order = {channel: i for i, channel in enumerate(Channel.values)}
    rows = [
        GridRow(
            partners[partner_id],
            CHANNEL_LABELS.get(channel, channel),
            [by_kpi.get(kpi) for kpi, _ in columns],
        )
        for (partner_id, channel), by_kpi in sorted(
            cells.items(),
            key=lambda item: (partners[item[0][0]].name, item[0][0], order.get(item[0][1], 99)),
        )
    ]
    return Grid(week, columns, rows)


def waiting_for_approval(viewer: Viewer, today: date) -> list[Settlement]:
    """Draft settlements of months that have ended: ready for the program manager."""
    this_month = Period.containing(PeriodType.MONTH, today).start
    return list(
        scope(Settlement, viewer)
        .filter(status=SettlementStatus.DRAFT, month__lt=this_month)
        .select_related("partner", "contract")
        .order_by("month", "partner__name")
    )


@dataclass(frozen=True)
class Attention:
    """What needs the program manager this week, soonest first."""

    today: date
    sessions: Sequence[CalibrationSession]  # annotated: reviewer_count, submitted_count
    outcomes: Sequence[OutcomeItem]
    actions: Sequence[ActionItem]
    exits: Sequence[ExitCriterion]

    @property
    def empty(self) -> bool:
        return not (self.sessions or self.outcomes or self.actions or self.exits)


def program_attention(viewer: Viewer, today: date) -> Attention:
    """Calibration sessions due within a week or overdue and not yet revealed, with how many
    reviewers have submitted; calibration outcome items and QBR actions past their due date;
    exit criteria met or half-way there (four queries)."""
    sessions = list(
        scope(CalibrationSession, viewer)
        .filter(
            status__in=[SessionStatus.PLANNED, SessionStatus.SCORING],
            due_date__lte=today + SESSIONS_AHEAD,
        )
        .select_related("partner")
        .annotate(
            reviewer_count=Count("reviewers"),
            submitted_count=Count("reviewers", filter=Q(reviewers__submitted_at__isnull=False)),
        )
        .order_by("due_date", "partner__name", "pk")
    )
    outcomes = list(
        scope(OutcomeItem, viewer)
        .filter(status=OutcomeStatus.OPEN, due_date__lt=today)
        .select_related("session__partner", "owner")
        .order_by("due_date", "pk")
    )
    actions = list(
        action_items(viewer)
        .filter(status=ItemStatus.OPEN, due_date__lt=today)
        .order_by("due_date", "pk")
    )
    # Near: met, or at least half-way through the run of periods that would meet it.
    exits = list(
        scope(ExitCriterion, viewer)
        .annotate(doubled=F("streak") * 2)
        .filter(Q(met_on__isnull=False) | Q(streak__gt=0, doubled__gte=F("periods")))
        .select_related("contract__partner")
        .order_by(F("met_on").asc(nulls_last=True), "contract__partner__name", "pk")
    )
    return Attention(today, sessions, outcomes, actions, exits)
