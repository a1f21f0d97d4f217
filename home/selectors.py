"""Reads for the pages that span apps: the quarterly business review (QBR).

A QBR is per quarter of the account's calendar. For each partner it lays out:
- each governed KPI by month against its bands (the month's band status, with its sample
  size);
- the money the bands moved: each month's invoice, credits and bonuses after the caps, and
  the quarter's net;
- the remediation plans the quarter opened, closed or carried;
- the exit criteria and how close each is;
- the calibration sessions revealed in the quarter, with their alignment and bias;
- agent attrition over the trailing year, against the industry's range;
- loaded cost per resolved contact against the in-house baseline;
- leading indicators that worsened while CSAT and FCR held (`home.domain`);
- the review's action items, and how the previous quarter's ended.

Everything starts from `core.scoping.scope`, and a page of any number of partners costs the
same few queries.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Count, Max, Min, Q, QuerySet

from calibration import domain as calibration_domain
from calibration.models import CalibrationSession, SessionKind
from calibration.selectors import AlignmentPoint
from core import clock
from core.formatting import percent_text
from core.scoping import Viewer, scope
from engagements.domain import MonthCost
from engagements.models import EngagementStage, ScopeVersion, StageKind
from engagements.selectors import CostView, costs_by_partner, current_scope
from engagements.viewmodels import DisciplineView, discipline_view_between
from home.domain import (
    PER_AGENT_DAYS,
    HealthInputs,
    Indicators,
    Layer,
    Manual,
    Move,
    early_warnings,
    health_check,
)
from home.models import ActionItem, ItemStatus, QuarterlyReview, Side
from kpis.domain import Counts, Kpi, kpi_values
from kpis.models import KpiSnapshot, ScorecardOpening
from kpis.periods import Period, PeriodType
from partners.models import Agent, Channel, Partner
from partners.selectors import PartnerRoster, partner_rosters
from sla import domain as sla_domain
from sla.currency import minor_digits
from sla.models import (
    BandStatus,
    ExitCriterion,
    GovernedKpi,
    PlanStatus,
    RateLine,
    RemediationPlan,
    Settlement,
)

QUARTER = PeriodType.QUARTER


def quarter(year: int, number: int) -> Period:
    """The quarter `number` (1-4) of `year`; ValueError for any other quarter."""
    if not 1 <= number <= 4 or not 1 <= year <= 9999:
        raise ValueError(f"There is no quarter {number} of {year}.")
    return Period(QUARTER, date(year, 3 * number - 2, 1))


def quarter_slug(period: Period) -> str:
    """How a quarter reads in a URL: 2026-Q4."""
    return f"{period.start.year}-Q{quarter_number(period)}"


def months_of(period: Period) -> list[date]:
    first = Period(PeriodType.MONTH, period.start)
    return [first.start, first.next().start, first.next().next().start]


def last_complete_quarter(viewer: Viewer) -> QuarterLink:
    """The QBR's default: the last quarter that has ended in the account's calendar."""
    return QuarterLink(Period.containing(QUARTER, clock.today(viewer.account)).previous(), True)


def quarter_number(period: Period) -> int:
    return (period.start.month - 1) // 3 + 1


@dataclass(frozen=True)
class QuarterLink:
    period: Period
    complete: bool

    @property
    def slug(self) -> str:
        return quarter_slug(self.period)

    @property
    def year(self) -> int:
        return self.period.start.year

    @property
    def number(self) -> int:
        return quarter_number(self.period)


def quarters(viewer: Viewer) -> list[QuarterLink]:
    """The quarters with band statuses or settlements, newest first, and always the last
    complete quarter (the default) and the current one (in progress)."""
    span = scope(BandStatus, viewer).aggregate(first=Min("month"), last=Max("month"))
    money = scope(Settlement, viewer).aggregate(first=Min("month"), last=Max("month"))
    current = Period.containing(QUARTER, clock.today(viewer.account))
    firsts = [d for d in (span["first"], money["first"]) if d is not None]
    first = Period.containing(QUARTER, min(firsts)) if firsts else current.previous()
    first = min(first, current.previous(), key=lambda p: p.start)
    found = []
    period = current
    while period.start >= first.start:
        found.append(QuarterLink(period, complete=period.start < current.start))
        period = period.previous()
    return found


@dataclass(frozen=True)
class KpiMonth:
    """One governed KPI in one month: where it stood, or nothing when it was not evaluated."""

    month: date
    status: BandStatus | None

    @property
    def band_kind(self) -> str:
        return self.status.band_kind if self.status else ""


# From the worst band to the best: what "better" and "worse" mean when a band changes.
BAND_RANK = {"penalty": 0, "remediation": 1, "custom": 1, "base": 2, "bonus": 3}


@dataclass
class KpiRow:
    channel: str
    channel_label: str
    kpi: str
    kpi_label: str
    months: list[KpiMonth]
    previous: BandStatus | None = None  # the previous quarter's last decided month

    @property
    def latest(self) -> BandStatus | None:
        return next((m.status for m in reversed(self.months) if m.status is not None), None)

    @property
    def change(self) -> str:
        """Since the previous quarter, in words and an arrow (never colour alone):
        "↑ better: penalty → bonus", "↓ worse: base → remediation", "= still base"."""
        now, then = self.latest, self.previous
        if now is None or then is None or not now.band_kind or not then.band_kind:
            return "new this quarter" if then is None and now is not None else ""
        if now.band_kind == then.band_kind:
            return f"= still {now.band_label}"
        rank_now, rank_then = BAND_RANK.get(now.band_kind, 1), BAND_RANK.get(then.band_kind, 1)
        word = "↑ better" if rank_now > rank_then else "↓ worse" if rank_now < rank_then else "≠"
        return f"{word}: {then.band_label} → {now.band_label}"


def _sum_text(settlements: list[Settlement], name: str) -> str:
    """A figure summed over settlements (a partner may have one contract per channel), in
    their currency; an en dash without any."""
    if not settlements:
        return "–"
    currencies = {s.currency for s in settlements}
    if len(currencies) > 1:
        return "in several currencies"
    total = sum((getattr(s, name) for s in settlements), Decimal(0))
    return money_text(total, currencies.pop())


@dataclass(frozen=True)
class MoneyMonth:
    month: date
    settlements: list[Settlement]

    def amount(self, name: str) -> str:
        return _sum_text(self.settlements, name)

    @property
    def approved(self) -> bool:
        return bool(self.settlements) and all(s.is_approved for s in self.settlements)


@dataclass
class PartnerQuarter:
    """One partner's quarter, as the QBR shows it."""

    partner: Partner
    period: Period
    kpis: list[KpiRow] = field(default_factory=list)
    money: list[MoneyMonth] = field(default_factory=list)
    plans: list[PlanInQuarter] = field(default_factory=list)
    exits: list[ExitCriterion] = field(default_factory=list)
    sessions: list[AlignmentPoint] = field(default_factory=list)
    roster: PartnerRoster | None = None
    record: QuarterlyReview | None = None
    cost: CostView | None = None
    previous_settled: list[Settlement] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def previous_total(self, name: str) -> str:
        """A settlement figure summed over the previous quarter, for comparison."""
        return _sum_text(self.previous_settled, name)

    items: list[ActionItem] = field(default_factory=list)
    previous_items: list[ActionItem] = field(default_factory=list)

    @property
    def quarter_cost(self) -> MonthCost | None:
        """The quarter's loaded cost, governance included, and the contacts it resolved."""
        if self.cost is None or not self.cost.totals:
            return None
        months = list(self.cost.totals.values())
        return MonthCost(
            sum((m.headline for m in months), Decimal(0)),
            sum((m.loaded for m in months), Decimal(0)),
            sum((m.governance for m in months), Decimal(0)),
            sum(m.resolved for m in months),
        )

    @property
    def against_in_house(self) -> str:
        """How the quarter's cost per resolved contact compares with the in-house figure."""
        quarter = self.quarter_cost
        in_house = self.cost.in_house_overall if self.cost else None
        if quarter is None or quarter.per_resolved is None or not in_house:
            return ""
        change = (quarter.per_resolved - in_house) / in_house
        word = "above" if change > 0 else "below"
        return f"{percent_text(abs(change))} {word} in-house"

    @property
    def plans_opened(self) -> int:
        return sum(1 for p in self.plans if p.opened)

    @property
    def plans_closed(self) -> int:
        return sum(1 for p in self.plans if p.closed)

    @property
    def plans_open_at_end(self) -> int:
        return sum(1 for p in self.plans if p.open_at_end)

    @property
    def mean_agreement(self) -> Decimal | None:
        """The mean agreement of the quarter's revealed sessions."""
        return _mean(
            [p.session.agreement for p in self.sessions if p.session.agreement is not None]
        )

    @property
    def alignment(self) -> str:
        return percent_text(self.mean_agreement)

    @property
    def settled(self) -> list[Settlement]:
        return [s for m in self.money for s in m.settlements]

    @property
    def currency(self) -> str:
        currencies = {s.currency for s in self.settled}
        return currencies.pop() if len(currencies) == 1 else ""

    def total(self, name: str) -> Decimal:
        return sum((getattr(s, name) for s in self.settled), Decimal(0))

    def total_text(self, name: str) -> str:
        return _sum_text(self.settled, name)

    @property
    def credits(self) -> str:
        return self.total_text("credit_total")

    @property
    def bonuses(self) -> str:
        return self.total_text("bonus_total")

    @property
    def invoiced(self) -> str:
        return self.total_text("invoice_total")

    @property
    def net(self) -> str:
        return self.total_text("net")

    @property
    def consequences(self) -> str:
        """Bonuses minus credits over the quarter: what quality moved, in money."""
        if not self.settled or not self.currency:
            return self.total_text("net")
        moved = self.total("bonus_total") - self.total("credit_total")
        sign = "+" if moved > 0 else ""
        return sign + money_text(moved, self.currency)

    def band_counts(self) -> dict[str, int]:
        """The last month's KPIs per band kind: how the quarter ended."""
        counts: dict[str, int] = defaultdict(int)
        for row in self.kpis:
            last = next((m for m in reversed(row.months) if m.status is not None), None)
            if last is not None and last.status is not None:
                counts[last.status.band_kind or "undecided"] += 1
        return dict(counts)

    @property
    def months(self) -> list[date]:
        return months_of(self.period)


@dataclass(frozen=True)
class PlanInQuarter:
    """A remediation plan as the quarter saw it: opened in it, closed in it, or open at its
    end (a plan closed after the quarter was still open then)."""

    plan: RemediationPlan
    opened: bool
    closed: bool
    open_at_end: bool


def money_text(amount: Decimal, currency: str) -> str:
    return sla_domain.format_money(amount, currency, minor_digits(currency))


def quarter_review(
    viewer: Viewer, period: Period, partner: Partner | None = None
) -> list[PartnerQuarter]:
    """Each partner's quarter (or one partner's): the same few queries whatever the number
    of partners, KPIs and months."""
    partners = scope(Partner, viewer).order_by("name")
    if partner is not None:
        partners = partners.filter(pk=partner.pk)
    reviews = {p.pk: PartnerQuarter(p, period) for p in partners}
    months = months_of(period)
    before = months_of(period.previous())
    statuses = (
        scope(BandStatus, viewer)
        .filter(partner__in=list(reviews), month__in=before + months)
        .select_related("governed")
        .order_by("partner_id", "channel", "kpi", "month")
    )
    rows: dict[tuple[int, str, str], dict[date, BandStatus]] = defaultdict(dict)
    for status in statuses:
        rows[(status.partner_id, status.channel, status.kpi)][status.month] = status
    for (partner_id, channel, kpi), by_month in rows.items():
        if not any(m in by_month for m in months):
            continue  # governed last quarter only
        any_status = next(iter(by_month.values()))
        reviews[partner_id].kpis.append(
            KpiRow(
                channel=channel,
                channel_label=any_status.get_channel_display(),
                kpi=kpi,
                kpi_label=sla_domain.governable(kpi).label,
                months=[KpiMonth(m, by_month.get(m)) for m in months],
                previous=next((by_month[m] for m in reversed(before) if m in by_month), None),
            )
        )
    settlements: dict[tuple[int, date], list[Settlement]] = defaultdict(list)
    for settlement in (
        scope(Settlement, viewer)
        .filter(partner__in=list(reviews), month__in=before + months)
        .select_related("contract")
        .order_by("contract_id")
    ):
        settlements[(settlement.partner_id, settlement.month)].append(settlement)
    for review in reviews.values():
        review.money = [MoneyMonth(m, settlements[(review.partner.pk, m)]) for m in months]
        review.previous_settled = [s for m in before for s in settlements[(review.partner.pk, m)]]
    _add_plans(viewer, period, reviews)
    _add_records(viewer, period, reviews)
    for partner_id, cost in costs_by_partner(
        viewer, [r.partner for r in reviews.values()], months
    ).items():
        reviews[partner_id].cost = cost
    # Attrition over the trailing year to the quarter's end (or to today, in the quarter).
    as_of = min(period.end, clock.today(viewer.account))
    for roster in partner_rosters(viewer=viewer, today=as_of, partner=partner):
        if roster.partner.pk in reviews:
            reviews[roster.partner.pk].roster = roster
    for criterion in (
        scope(ExitCriterion, viewer)
        .filter(contract__partner__in=list(reviews))
        .select_related("contract")
        .order_by("contract__start_date", "pk")
    ):
        reviews[criterion.contract.partner_id].exits.append(criterion)
    start, end = _moments(viewer, period)
    before_start, _ = _moments(viewer, period.previous())
    agreements_before: dict[int, list[Decimal]] = defaultdict(list)
    for session in (
        scope(CalibrationSession, viewer)
        .filter(partner__in=list(reviews), revealed_at__gte=before_start, revealed_at__lt=end)
        .order_by("revealed_at")
    ):
        assert session.revealed_at is not None  # filtered on it
        if session.revealed_at >= start:
            reviews[session.partner_id].sessions.append(AlignmentPoint(session))
        elif session.agreement is not None:
            agreements_before[session.partner_id].append(session.agreement)
    _add_warnings(viewer, period, reviews, agreements_before, partner)
    return list(reviews.values())


def _mean(values: list[Decimal]) -> Decimal | None:
    return sum(values, Decimal(0)) / len(values) if values else None


def _add_warnings(
    viewer: Viewer,
    period: Period,
    reviews: dict[int, PartnerQuarter],
    agreements_before: dict[int, list[Decimal]],
    partner: Partner | None,
) -> None:
    """Leading indicators against the previous quarter (`home.domain`): QA score, CSAT and
    FCR from the quarters' snapshots, alignment from the sessions, attrition from the roster
    at each quarter's end (two queries)."""
    quarters = [period.previous().start, period.start]
    counts: dict[tuple[int, date], Counts] = defaultdict(Counts)
    for snapshot in scope(KpiSnapshot, viewer).filter(
        partner__in=list(reviews), agent__isnull=True, period_type=QUARTER.value,
        period_start__in=quarters,
    ):  # fmt: skip
        key = (snapshot.partner_id, snapshot.period_start)
        counts[key] = counts[key] + snapshot.counts
    rosters_before = {
        r.partner.pk: r
        for r in partner_rosters(viewer=viewer, today=period.previous().end, partner=partner)
        if r.partner.pk in reviews
    }

    days = [Period(QUARTER, q).days for q in quarters]
    for partner_id, review in reviews.items():
        before = rosters_before.get(partner_id)
        then, now = (kpi_values(counts[(partner_id, q)], period_days=d)
                     for q, d in zip(quarters, days, strict=True))  # fmt: skip
        moves = [Move(then[k].value, now[k].value) for k in (Kpi.QA, Kpi.CSAT, Kpi.FCR)]
        review.warnings = early_warnings(
            Indicators(
                qa=moves[0],
                alignment=Move(_mean(agreements_before[partner_id]), review.mean_agreement),
                attrition=Move(
                    before.attrition.annualised if before else None,
                    review.roster.attrition.annualised if review.roster else None,
                ),
                csat=moves[1],
                fcr=moves[2],
            )
        )


def action_items(viewer: Viewer) -> QuerySet[ActionItem]:
    """The QBR action items a viewer may see: the buyer's people see every item of the
    account's reviews; a partner's people the items their side owns."""
    items = scope(ActionItem, viewer).select_related("review__partner", "owner")
    if viewer.is_partner_side:
        items = items.filter(side=Side.PARTNER)
    return items


def _add_records(viewer: Viewer, period: Period, reviews: dict[int, PartnerQuarter]) -> None:
    """Each partner's review of the quarter, its items, and the previous quarter's items and
    how they ended (two queries)."""
    previous = period.previous().start
    for record in (
        scope(QuarterlyReview, viewer)
        .filter(partner__in=list(reviews), quarter_start=period.start)
        .select_related("published_by")
    ):
        reviews[record.partner_id].record = record
    for item in action_items(viewer).filter(
        review__partner__in=list(reviews), review__quarter_start__in=[previous, period.start]
    ):
        review = reviews[item.review.partner_id]
        if item.review.quarter_start == period.start:
            review.items.append(item)
        else:
            review.previous_items.append(item)


def _moments(viewer: Viewer, period: Period) -> tuple[datetime, datetime]:
    """The quarter as a half-open range of moments in the account's time zone."""
    zone = clock.zone(viewer.account)
    return clock.start_of(period.start, zone), clock.start_of(period.next().start, zone)


def _add_plans(viewer: Viewer, period: Period, reviews: dict[int, PartnerQuarter]) -> None:
    """The plans opened in the quarter, closed in it, or open at its end (one query)."""
    start, end = _moments(viewer, period)
    plans = (
        scope(RemediationPlan, viewer)
        .filter(partner__in=list(reviews), opened_at__lt=end)
        .exclude(status=PlanStatus.WITHDRAWN)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=start))
        .order_by("opened_at", "pk")
    )
    for plan in plans:
        closed_at = plan.closed_at
        reviews[plan.partner_id].plans.append(
            PlanInQuarter(
                plan=plan,
                opened=plan.opened_at >= start,
                closed=closed_at is not None and closed_at < end,
                open_at_end=closed_at is None or closed_at >= end,
            )
        )


# THE SEVEN-LAYER HEALTH CHECK
# ------------------------------------------------------------------------------


QUALITY_KPIS = ("csat", "fcr")
CHANNEL_LABELS = dict(Channel.choices)


@dataclass(frozen=True)
class CadenceRow:
    """A calibration session the cadence put in the quarter, and when it was held."""

    session: CalibrationSession
    held_on: date | None  # revealed, in the account's time zone
    today: date

    @property
    def on_time(self) -> bool:
        return calibration_domain.held_on_time(self.session.due_date, self.held_on)

    @property
    def pending(self) -> bool:
        """Not held yet but still within its grace days: neither on time nor missed."""
        return self.held_on is None and calibration_domain.held_on_time(
            self.session.due_date, self.today
        )


@dataclass(frozen=True)
class Governance:
    """Two of the quarter's governance records, as tables on the QBR: scope discipline over
    the quarter (so far) and the calibration sessions the cadence had due in it."""

    start: date
    last_day: date
    version: ScopeVersion | None
    discipline: DisciplineView | None  # None without a scope or a day of the quarter yet
    cadence: list[CadenceRow]

    @property
    def decided(self) -> list[CadenceRow]:
        """The sessions that count towards adherence: held, or past their grace days."""
        return [r for r in self.cadence if not r.pending]

    @property
    def adherence(self) -> Decimal | None:
        rows = self.decided
        return calibration_domain.adherence(
            [r.session.due_date for r in rows], [r.held_on for r in rows]
        )

    @property
    def on_time(self) -> int:
        return sum(1 for r in self.cadence if r.on_time)


def governance(viewer: Viewer, review: PartnerQuarter) -> Governance:
    """Scope discipline and calibration cadence of one partner's quarter, to its end or to
    today (the scope and the sessions: three queries, and one grouping of the contacts)."""
    partner, period = review.partner, review.period
    last_day = min(period.end, clock.today(viewer.account))
    version = current_scope(viewer, partner)
    found = None
    if version is not None and last_day >= period.start:
        found = discipline_view_between(viewer, partner, version, period.start, last_day)
    due = (
        scope(CalibrationSession, viewer)
        .filter(
            partner=partner,
            kind=SessionKind.CADENCE,
            due_date__gte=period.start,
            due_date__lte=last_day,
        )  # fmt: skip
        .order_by("due_date", "pk")
    )
    zone = clock.zone(viewer.account)
    today = clock.today(viewer.account)
    cadence = [
        CadenceRow(s, clock.local_date(s.revealed_at, zone) if s.revealed_at else None, today)
        for s in due
    ]
    return Governance(period.start, last_day, version, found, cadence)


def health(viewer: Viewer, review: PartnerQuarter, records: Governance) -> list[Layer]:
    """One partner's seven layers in the quarter (`home.domain.health_check`), from its scope,
    contracts, stages, calibration sessions and the previous review; a handful of queries,
    for the one-partner page."""
    partner, period = review.partner, review.period
    today = clock.today(viewer.account)
    version = records.version
    share = records.discipline.discipline.share if records.discipline else None
    priced = set(
        scope(RateLine, viewer)
        .filter(contract__partner=partner, contract__start_date__lte=period.end)
        .filter(Q(contract__end_date__isnull=True) | Q(contract__end_date__gte=period.start))
        .values_list("channel", flat=True)
    )
    governed = set(
        scope(GovernedKpi, viewer)
        .filter(sla__contract__partner=partner, kpi__in=QUALITY_KPIS, bands__isnull=False)
        .values_list("channel", "kpi")
    )
    unbanded = tuple(
        f"{sla_domain.governable(kpi).label} {CHANNEL_LABELS.get(ch, ch).lower()}"
        for ch in sorted(priced) for kpi in QUALITY_KPIS if (ch, kpi) not in governed
    )  # fmt: skip
    pilot = (
        scope(EngagementStage, viewer)
        .filter(partner=partner, kind=StageKind.PILOT)
        .annotate(types=Count("interaction_types"))
        .order_by("started_on")
        .first()
    )
    window_start = records.last_day - timedelta(days=PER_AGENT_DAYS - 1)
    opened = (
        scope(ScorecardOpening, viewer)
        .filter(
            agent__partner=partner,
            buyer_side=True,
            opened_on__gte=window_start,
            opened_on__lte=records.last_day,
        )
        .values("agent")
        .distinct()
        .count()
    )
    active = scope(Agent.objects.active_on(records.last_day), viewer).filter(partner=partner)
    closed = sum(1 for i in review.previous_items if i.status != ItemStatus.OPEN)
    manual = {
        key: Manual(bool(score.get("healthy")), str(score.get("evidence", "")))
        for key, score in (review.record.health_scores if review.record else {}).items()
    }
    return health_check(
        HealthInputs(
            scope_discipline=share,
            unbanded=unbanded if priced else None,
            pilot_days=((pilot.ended_on or today) - pilot.started_on).days if pilot else None,
            pilot_tight=(
                len(pilot.channels) <= 1
                and pilot.types <= 1  # type: ignore[attr-defined]
                and len(pilot.shifts) <= 1
            )
            if pilot
            else None,  # fmt: skip
            cadence_adherence=records.adherence,
            governance_fte=version.governance_fte if version else None,
            previous_items=(closed, len(review.previous_items)),
            per_agent=(opened, active.count()),
            manual=manual,
        )
    )
