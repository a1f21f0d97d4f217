"""Reads for KPI data: scorecards built from snapshots. Every selector starts from
`core.scoping.scope`, reads snapshots in one query and derives values with
`kpis.domain`, so a page costs the same number of queries for 10 agents or 500."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from django.db.models import Max, Q, QuerySet

from core import clock
from core.scoping import Viewer, scope
from kpis.domain import (
    CONTACT_KPIS,
    DEFAULT_MIN_SAMPLE,
    Counts,
    Kpi,
    KpiValue,
    bottom_decile,
    change,
    improved,
    kpi_values,
    pool_over_time,
)
from kpis.models import ImportBatch, Interaction, KpiSnapshot
from kpis.periods import Period, PeriodType
from partners.models import Agent, Channel, Partner

HISTORY = 12  # periods on trend lines


@dataclass(frozen=True)
class KpiCell:
    """One KPI on a scorecard: its value now, against before, and its recent trend."""

    value: KpiValue
    previous: KpiValue | None = None
    trend: tuple[tuple[Period, KpiValue], ...] = ()
    min_sample: int = DEFAULT_MIN_SAMPLE

    @property
    def kpi(self) -> Kpi:
        return self.value.kpi

    @property
    def delta(self) -> Decimal | None:
        return change(self.value, self.previous) if self.previous else None

    @property
    def improved(self) -> bool | None:
        return improved(self.kpi, self.delta)

    @property
    def enough_data(self) -> bool:
        return self.value.enough_data(self.min_sample)

    @property
    def breaches(self) -> bool:
        return self.enough_data and self.value.breaches()


@dataclass(frozen=True)
class ChannelCard:
    partner: Partner
    channel: str
    period: Period
    counts: Counts
    cells: tuple[KpiCell, ...]

    @property
    def channel_label(self) -> str:
        return Channel(self.channel).label


def latest_period(
    *, viewer: Viewer, period_type: PeriodType, partner: Partner | None = None
) -> Period:
    """The period a scorecard opens on: the last complete one (last month, last week), so
    that a page read on the 3rd does not show three days; or, when the newest data is older
    than that, the newest period with data. With no data at all, the last complete period."""
    last_complete = Period.containing(period_type, clock.today(viewer.account)).previous()
    snapshots = scope(KpiSnapshot, viewer).filter(period_type=period_type.value)
    if partner is not None:
        snapshots = snapshots.filter(partner=partner)
    newest = snapshots.aggregate(newest=Max("period_start"))["newest"]
    if newest is not None and newest < last_complete.start:
        return Period.containing(period_type, newest)
    return last_complete


def _series(snapshots: QuerySet[KpiSnapshot], key: str) -> dict[object, dict[date, Counts]]:
    result: dict[object, dict[date, Counts]] = defaultdict(dict)
    for snapshot in snapshots:
        result[getattr(snapshot, key)][snapshot.period_start] = snapshot.counts
    return result


def channel_scorecard(
    *, viewer: Viewer, partner: Partner, period: Period, min_sample: int = DEFAULT_MIN_SAMPLE
) -> list[ChannelCard]:
    """Each channel of a partner in a period: every KPI with sample, interval, change against
    the previous period and the last 12 periods' trend. One query."""
    periods = period.last(HISTORY)
    snapshots = scope(KpiSnapshot, viewer).filter(
        partner=partner,
        agent__isnull=True,
        period_type=period.type.value,
        period_start__in=[p.start for p in periods],
    )
    by_channel = _series(snapshots, "channel")
    cards = []
    for channel in Channel.values:
        history = by_channel.get(channel)
        if not history:
            continue
        values = {
            p: kpi_values(history.get(p.start, Counts()), period_days=p.days) for p in periods
        }
        current, previous = values[period], values[periods[-2]] if len(periods) > 1 else None
        cells = tuple(
            KpiCell(
                value=current[kpi],
                previous=previous[kpi] if previous else None,
                trend=tuple((p, values[p][kpi]) for p in periods),
                min_sample=min_sample,
            )
            for kpi in Kpi
        )
        cards.append(
            ChannelCard(partner, channel, period, history.get(period.start, Counts()), cells)
        )
    return cards


class Tenure(StrEnum):
    NEW = "new"  # under 3 months: still ramping (docs/domain.md, "Cadence": 8-12 weeks to parity)
    SETTLED = "settled"  # 3 to 12 months
    VETERAN = "veteran"  # over a year

    @property
    def label(self) -> str:
        return {"new": "Under 3 months", "settled": "3-12 months", "veteran": "Over a year"}[
            self.value
        ]

    @classmethod
    def of(cls, days: int) -> Tenure:
        if days < 91:
            return cls.NEW
        return cls.SETTLED if days <= 365 else cls.VETERAN


@dataclass
class AgentRow:
    agent: Agent
    channel: str
    counts: Counts
    values: dict[Kpi, KpiValue]
    tenure_days: int
    flags: dict[Kpi, set[str]] = field(default_factory=dict)  # "decile", "threshold"

    @property
    def tenure(self) -> Tenure:
        return Tenure.of(self.tenure_days)

    @property
    def flagged(self) -> bool:
        return any(self.flags.values())


SORTS = ("name", "team", "tenure", "contacts", *(k.value for k in CONTACT_KPIS))


@dataclass
class AgentScorecard:
    partner: Partner
    period: Period
    rows: list[AgentRow]
    min_sample: int
    sort: str
    descending: bool


def _sorted(rows: list[AgentRow], sort: str, descending: bool) -> list[AgentRow]:
    """Rows by the chosen column; rows with no value for a KPI go last either way."""
    if sort in Kpi._value2member_map_:
        kpi = Kpi(sort)
        valued = [r for r in rows if r.values[kpi].value is not None]
        empty = [r for r in rows if r.values[kpi].value is None]
        valued.sort(key=lambda r: r.values[kpi].value, reverse=descending)  # type: ignore[arg-type,return-value]
        empty.sort(key=lambda r: r.agent.name.lower())
        return valued + empty
    keys = {
        "team": lambda r: ((r.agent.team.name if r.agent.team else "~"), r.agent.name.lower()),
        "tenure": lambda r: r.tenure_days,
        "contacts": lambda r: r.counts.contacts,
    }
    key = keys.get(sort, lambda r: (r.agent.name.lower(), r.agent.pk))
    return sorted(rows, key=key, reverse=descending)


def agent_scorecard(
    *,
    viewer: Viewer,
    partner: Partner,
    period: Period,
    team_id: int | None = None,
    channel: str | None = None,
    tenure: str | None = None,
    sort: str = "name",
    descending: bool = False,
    min_sample: int = DEFAULT_MIN_SAMPLE,
) -> AgentScorecard:
    """Every agent of the partner employed during the period, with all contact KPIs.

    Agents in the worst 10 % of a KPI (among those with enough data), or on the wrong side
    of the KPI's threshold, are flagged. Two queries whatever the number of agents.
    """
    agents = (
        scope(Agent, viewer)
        .filter(partner=partner, hire_date__lte=period.end)
        .filter(Q(leaving_date__isnull=True) | Q(leaving_date__gte=period.start))
        .select_related("team")
    )
    if team_id:
        agents = agents.filter(team_id=team_id)
    snapshots = scope(KpiSnapshot, viewer).filter(
        partner=partner,
        agent__isnull=False,
        period_type=period.type.value,
        period_start=period.start,
    )
    if channel:
        snapshots = snapshots.filter(channel=channel)
    by_agent: dict[int, list[KpiSnapshot]] = defaultdict(list)
    for snapshot in snapshots:
        by_agent[snapshot.agent_id].append(snapshot)  # type: ignore[index]
    rows: list[AgentRow] = []
    for agent in agents:
        tenure_days = agent.tenure_days(period.end)
        if tenure and Tenure.of(tenure_days).value != tenure:
            continue
        found = by_agent.get(agent.pk)
        if not found:
            home = agent.team.channel if agent.team else ""
            if channel and home != channel:
                continue
            found_counts = [(home, Counts())]
        else:
            found_counts = [(s.channel, s.counts) for s in found]
        for row_channel, counts in found_counts:
            rows.append(
                AgentRow(
                    agent=agent,
                    channel=row_channel,
                    counts=counts,
                    values=kpi_values(counts, period_days=period.days),
                    tenure_days=tenure_days,
                )
            )
    for kpi in CONTACT_KPIS:
        worst = bottom_decile({i: row.values[kpi] for i, row in enumerate(rows)}, min_sample)
        for i, row in enumerate(rows):
            flags = row.flags.setdefault(kpi, set())
            if i in worst:
                flags.add("decile")
            if row.values[kpi].enough_data(min_sample) and row.values[kpi].breaches():
                flags.add("threshold")
    if sort not in SORTS:
        sort = "name"
    rows = _sorted(rows, sort, descending)
    return AgentScorecard(partner, period, rows, min_sample, sort, descending)


@dataclass(frozen=True)
class AgentTrend:
    channel: str
    periods: tuple[Period, ...]
    values: tuple[dict[Kpi, KpiValue], ...]

    def series(self, kpi: Kpi) -> tuple[tuple[Period, KpiValue], ...]:
        return tuple((p, v[kpi]) for p, v in zip(self.periods, self.values, strict=True))


def agent_trends(*, viewer: Viewer, agent: Agent, period: Period) -> list[AgentTrend]:
    """An agent's KPIs per channel over the last 12 periods. One query."""
    periods = period.last(HISTORY)
    snapshots = scope(KpiSnapshot, viewer).filter(
        agent=agent, period_type=period.type.value, period_start__in=[p.start for p in periods]
    )
    trends = []
    for channel, history in sorted(_series(snapshots, "channel").items()):
        trends.append(
            AgentTrend(
                channel=str(channel),
                periods=tuple(periods),
                values=tuple(
                    kpi_values(history.get(p.start, Counts()), period_days=p.days) for p in periods
                ),
            )
        )
    return trends


@dataclass(frozen=True)
class WeeklyRow:
    partner: Partner
    channel: str
    this_week: dict[Kpi, KpiValue]
    last_week: dict[Kpi, KpiValue]
    average: dict[Kpi, KpiValue]  # the eight weeks before this one, pooled
    contacts: int

    @property
    def channel_label(self) -> str:
        return Channel(self.channel).label

    def cell(self, kpi: Kpi) -> tuple[KpiValue, Decimal | None, Decimal | None]:
        value = self.this_week[kpi]
        return value, change(value, self.last_week[kpi]), change(value, self.average[kpi])


WEEKLY_KPIS = (
    Kpi.CSAT,
    Kpi.FCR,
    Kpi.SLA,
    Kpi.AHT,
    Kpi.FRT,
    Kpi.ESCALATION,
    Kpi.REOPEN,
    Kpi.NPS,
    Kpi.ATTRITION,
)


# On wide tables (weekly, per agent) these KPIs sit behind "Show more columns", so that the
# table fits a laptop's 1366 px: the quality and service KPIs an SLA usually governs stay.
MORE_COLUMNS = frozenset(
    {Kpi.FRT, Kpi.ESCALATION, Kpi.ESCALATION_L1, Kpi.REOPEN, Kpi.NPS, Kpi.CES, Kpi.ATTRITION}
)


def weekly_scorecard(*, viewer: Viewer, week: Period) -> list[WeeklyRow]:
    """Every visible partner and channel: this week against last week and against the
    eight weeks before it (counts pooled, not percentages averaged). One query."""
    weeks = week.last(9)
    snapshots = (
        scope(KpiSnapshot, viewer)
        .filter(
            agent__isnull=True,
            period_type=PeriodType.WEEK.value,
            period_start__in=[w.start for w in weeks],
        )
        .select_related("partner")
    )
    grouped: dict[tuple[int, str], dict[date, Counts]] = defaultdict(dict)
    partners: dict[int, Partner] = {}
    for snapshot in snapshots:
        partners[snapshot.partner_id] = snapshot.partner
        grouped[(snapshot.partner_id, snapshot.channel)][snapshot.period_start] = snapshot.counts
    rows = []
    for (partner_id, channel), history in grouped.items():
        before = [history.get(w.start, Counts()) for w in weeks[:-1]]
        rows.append(
            WeeklyRow(
                partner=partners[partner_id],
                channel=channel,
                this_week=kpi_values(history.get(week.start, Counts()), period_days=7),
                last_week=kpi_values(history.get(weeks[-2].start, Counts()), period_days=7),
                average=kpi_values(pool_over_time(before), period_days=7 * len(before)),
                contacts=history.get(week.start, Counts()).contacts,
            )
        )
    order = {c: i for i, c in enumerate(Channel.values)}
    rows.sort(key=lambda r: (r.partner.name, order.get(r.channel, 99)))
    return rows


def interactions_list(
    *,
    viewer: Viewer,
    partner: Partner | None = None,
    agent: Agent | None = None,
    channel: str | None = None,
    period: Period | None = None,
    batch: ImportBatch | None = None,
) -> QuerySet[Interaction]:
    """The contacts behind a figure, newest first; a period is the account's days."""
    rows = scope(Interaction, viewer).select_related("agent", "interaction_type", "partner")
    if partner is not None:
        rows = rows.filter(partner=partner)
    if agent is not None:
        rows = rows.filter(agent=agent)
    if channel:
        rows = rows.filter(channel=channel)
    if period is not None:
        rows = rows.filter(
            opened_at__gte=clock.start_of(period.start, viewer.account),
            opened_at__lt=clock.start_of(period.next().start, viewer.account),
        )
    if batch is not None:
        rows = rows.filter(batch=batch)
    return rows.order_by("-opened_at", "pk")


def imports_list(*, viewer: Viewer) -> QuerySet[ImportBatch]:
    return scope(ImportBatch, viewer).select_related("partner", "created_by")
