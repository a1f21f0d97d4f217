"""Reads for settlements, remediation plans, band statuses and exit criteria. Every selector
starts from `core.scoping.scope`, and each list costs the same number of queries for 2
rows or 200 (related rows come through `select_related` or one scoped `Prefetch`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet

from calibration.suggestions import Dip
from core import clock
from core.scoping import Viewer, get_scoped_or_404, scope
from kpis.periods import Period, PeriodType
from partners.models import Partner
from sla import domain
from sla.currency import minor_digits
from sla.evaluation import month_of, outstanding_adjustment
from sla.models import (
    BandStatus,
    CarriedAdjustment,
    ExitCriterion,
    LineBasis,
    PlanStatus,
    RemediationPlan,
    Settlement,
    SettlementLine,
    SettlementStatus,
)

# The status filter of the settlement list: the model's statuses plus "approved, with later
# data changing the result".
PENDING = "pending"
SETTLEMENT_FILTERS = [
    (SettlementStatus.DRAFT.value, "Draft"),
    (SettlementStatus.APPROVED.value, "Approved"),
    (PENDING, "Approved, with a pending adjustment"),
]

# The columns of the remediation board.
OPEN, OVERDUE, CLOSED = "open", "overdue", "closed"
BOARD_COLUMNS = [
    (OPEN, "Open"),
    (OVERDUE, "Overdue"),
    (CLOSED, "Closed recently"),
]
CLOSED_RECENTLY_DAYS = 60


# SETTLEMENTS
# ------------------------------------------------------------------------------


def settlements_list(
    viewer: Viewer, partner: Partner | None = None, status: str | None = None
) -> QuerySet[Settlement]:
    """Settlements per partner and month, newest month first; `status` is draft, approved
    or pending (approved with a pending adjustment)."""
    settlements = scope(Settlement, viewer).select_related("partner", "contract")
    if partner is not None:
        settlements = settlements.filter(partner=partner)
    if status == PENDING:
        settlements = settlements.filter(status=SettlementStatus.APPROVED).exclude(adjustment=0)
    elif status in SettlementStatus.values:
        settlements = settlements.filter(status=status)
    return settlements.order_by("-month", "partner__name", "contract__name", "pk")


@dataclass(frozen=True)
class InvoicePartRow:
    text: str  # what one rate-card line counted: "10,000 chat contacts × 3.00 USD = ..."
    amount: Decimal


@dataclass(frozen=True)
class InvoiceRow:
    channel: str
    channel_label: str
    amount: Decimal
    explanation: str
    missing: str
    parts: list[InvoicePartRow] = field(default_factory=list)


@dataclass(frozen=True)
class LinePair:
    """A settled line next to the line the latest data gives for the same channel and KPI
    (either may be missing when the governed KPIs changed)."""

    settled: SettlementLine | None
    latest: SettlementLine | None

    @property
    def changed(self) -> bool:
        if self.settled is None or self.latest is None:
            return True
        return (
            self.settled.band_label != self.latest.band_label
            or self.settled.decision != self.latest.decision
            or self.settled.credit != self.latest.credit
            or self.settled.bonus != self.latest.bonus
        )


@dataclass(frozen=True)
class AdjustmentPart:
    """One reason an approved month's figure moved: a channel's invoice (volume), a line's
    credit or bonus, or the caps. Positive: owed to the partner."""

    text: str
    amount: Decimal


def adjustment_parts(settlement: Settlement, pairs: list[LinePair]) -> list[AdjustmentPart]:
    """What a pending adjustment is made of; the parts add up to it. Empty for a month
    without one, or one recomputed before Keel kept the latest totals."""
    if not settlement.has_pending_adjustment or settlement.latest_invoice_total is None:
        return []
    from partners.models import Channel

    currency = settlement.currency
    digits = minor_digits(currency)

    def money(amount: Decimal) -> str:
        return domain.format_money(amount, currency, digits)

    parts = []
    labels = dict(Channel.choices)
    settled, latest = settlement.invoices or {}, settlement.latest_invoices or {}
    for channel in [c for c in Channel.values if c in settled or c in latest]:
        before = Decimal(str(settled.get(channel, {}).get("amount") or 0))
        after = Decimal(str(latest.get(channel, {}).get("amount") or 0))
        if before != after:
            parts.append(
                AdjustmentPart(
                    f"{labels[channel]} invoice {money(before)} → {money(after)} (volume)",
                    after - before,
                )
            )
    for pair in pairs:
        line = pair.settled or pair.latest
        assert line is not None
        name = (
            f"{domain.governable(line.kpi).label} {labels.get(line.channel, line.channel).lower()}"
        )
        for kind, sign in (("credit", -1), ("bonus", 1)):
            before = getattr(pair.settled, kind) if pair.settled else Decimal(0)
            after = getattr(pair.latest, kind) if pair.latest else Decimal(0)
            if before != after:
                parts.append(
                    AdjustmentPart(
                        f"{name}: {kind} {money(before)} → {money(after)}", sign * (after - before)
                    )
                )
    rest = settlement.adjustment - sum((p.amount for p in parts), Decimal(0))
    if rest:
        credits = settlement.latest_credit_total or Decimal(0)
        bonuses = settlement.latest_bonus_total or Decimal(0)
        parts.append(
            AdjustmentPart(
                "The caps on the month's credits and bonuses (credits after the cap "
                f"{money(settlement.credit_total)} → {money(credits)}, bonuses after the cap "
                f"{money(settlement.bonus_total)} → {money(bonuses)})",
                rest,
            )
        )
    return parts


@dataclass(frozen=True)
class SettlementDetail:
    settlement: Settlement
    invoices: list[InvoiceRow]
    lines: list[SettlementLine]  # the settled lines, behind the totals
    latest_lines: list[SettlementLine]  # approved months recomputed on later data
    carried_in: list[CarriedAdjustment]  # from earlier approved months, with their source
    carried_out: list[CarriedAdjustment]  # this month's adjustment, into later months
    plans: dict[tuple[str, str], RemediationPlan]  # opened this month or still open, by line
    next_month: date  # where a pending adjustment goes: the first month after it still open
    outstanding: Decimal  # of the adjustment, not yet in an approved month
    line_pairs: list[LinePair] = field(default_factory=list)
    adjustment_parts: list[AdjustmentPart] = field(default_factory=list)

    @property
    def pending(self) -> bool:
        return self.settlement.has_pending_adjustment

    @property
    def settled_own_net(self) -> Decimal:
        """The approved net without what was carried in: what later data is compared with."""
        return self.settlement.net - self.settlement.carried

    @property
    def guardrail_count(self) -> int:
        return sum(1 for line in self.lines if line.guardrail)


def line_pairs(settled: list[SettlementLine], latest: list[SettlementLine]) -> list[LinePair]:
    by_key = {(line.channel, line.kpi): line for line in latest}
    pairs = []
    for line in settled:
        pairs.append(LinePair(line, by_key.pop((line.channel, line.kpi), None)))
    pairs.extend(LinePair(None, line) for line in by_key.values())
    return pairs


def settlement_detail(viewer: Viewer, pk: int) -> SettlementDetail:
    """One settlement with its lines, carried adjustments and the plans it opened; 404 when
    the viewer may not see it. A fixed number of queries whatever the size."""
    from partners.models import Channel

    settlement = get_scoped_or_404(
        Settlement.objects.select_related("partner", "contract", "approved_by").prefetch_related(
            Prefetch(
                "lines",
                queryset=scope(SettlementLine, viewer).order_by("basis", "position"),
            ),
            Prefetch(
                "carried_in",
                queryset=scope(CarriedAdjustment, viewer)
                .select_related("source")
                .order_by("source__month"),
            ),
            Prefetch(
                "carried_out",
                queryset=scope(CarriedAdjustment, viewer)
                .select_related("target")
                .order_by("target__month"),
            ),
        ),
        viewer,
        pk=pk,
    )
    all_lines = list(settlement.lines.all())
    lines = [line for line in all_lines if line.basis == LineBasis.SETTLED]
    latest = [line for line in all_lines if line.basis == LineBasis.LATEST]
    labels = dict(Channel.choices)
    invoices = [
        InvoiceRow(
            channel,
            labels.get(channel, channel),
            Decimal(str(data.get("amount") or 0)),
            data.get("explanation", ""),
            data.get("missing", ""),
            [
                InvoicePartRow(part["text"], Decimal(part["amount"]))
                for part in data.get("parts", [])
            ],
        )
        for channel, data in (settlement.invoices or {}).items()
    ]
    plans: dict[tuple[str, str], RemediationPlan] = {}
    candidates = (
        scope(RemediationPlan, viewer)
        .filter(
            Q(opened_month=settlement.month) | Q(status=PlanStatus.OPEN),
            partner_id=settlement.partner_id,
            governed__sla__contract_id=settlement.contract_id,
        )
        .order_by("-opened_month", "-pk")
    )
    for plan in candidates:
        key = (plan.channel, plan.kpi)
        # The plan this month opened wins over one still open from an earlier month.
        if key not in plans or plan.opened_month == settlement.month:
            plans[key] = plan
    next_month = month_of(settlement.month).next().start
    if settlement.has_pending_adjustment:
        # The adjustment goes into the first later month that is not approved yet.
        approved_after = set(
            scope(Settlement, viewer)
            .filter(
                contract_id=settlement.contract_id,
                month__gt=settlement.month,
                status=SettlementStatus.APPROVED,
            )
            .values_list("month", flat=True)
        )
        while next_month in approved_after:
            next_month = month_of(next_month).next().start
    return SettlementDetail(
        settlement=settlement,
        invoices=invoices,
        lines=lines,
        latest_lines=latest,
        carried_in=list(settlement.carried_in.all()),
        carried_out=list(settlement.carried_out.all()),
        plans=plans,
        next_month=next_month,
        outstanding=outstanding_adjustment(settlement) if settlement.is_approved else Decimal(0),
        line_pairs=line_pairs(lines, latest) if latest else [],
        adjustment_parts=adjustment_parts(settlement, line_pairs(lines, latest)) if latest else [],
    )


# REMEDIATION PLANS
# ------------------------------------------------------------------------------


def _plans(viewer: Viewer) -> QuerySet[RemediationPlan]:
    return scope(RemediationPlan, viewer).select_related(
        "partner", "buyer_owner", "partner_owner", "governed__sla"
    )


@dataclass(frozen=True)
class BoardColumn:
    key: str
    label: str
    plans: list[RemediationPlan]


@dataclass(frozen=True)
class PlanBoard:
    columns: list[BoardColumn]
    today: date

    @property
    def count(self) -> int:
        return sum(len(c.plans) for c in self.columns)

    def by_partner(self) -> list[tuple[Partner, list[RemediationPlan]]]:
        """Open plans (overdue first) grouped by partner, partners by name."""
        groups: dict[int, tuple[Partner, list[RemediationPlan]]] = {}
        for column in self.columns:
            if column.key == CLOSED:
                continue
            for plan in column.plans:
                groups.setdefault(plan.partner_id, (plan.partner, []))[1].append(plan)
        return sorted(groups.values(), key=lambda g: g[0].name)


def plans_board(
    viewer: Viewer,
    status: str | None = None,
    partner: Partner | None = None,
    *,
    today: date | None = None,
) -> PlanBoard:
    """Remediation plans as columns: open, overdue (open past their due date) and closed or
    withdrawn in the last 60 days; `status` shows one column only. One query."""
    today = today or clock.today(viewer.account)
    since = clock.now() - timedelta(days=CLOSED_RECENTLY_DAYS)
    ended = (PlanStatus.CLOSED, PlanStatus.WITHDRAWN)
    plans = _plans(viewer).filter(
        Q(status=PlanStatus.OPEN) | Q(status__in=ended, closed_at__gte=since)
    )
    if partner is not None:
        plans = plans.filter(partner=partner)
    if status == CLOSED:
        plans = plans.filter(status__in=ended)
    elif status in (OPEN, OVERDUE):
        plans = plans.filter(status=PlanStatus.OPEN)
    grouped: dict[str, list[RemediationPlan]] = {key: [] for key, _ in BOARD_COLUMNS}
    for plan in plans.order_by("due_date", "partner__name", "pk"):
        if plan.status in ended:
            grouped[CLOSED].append(plan)
        elif plan.due_date < today:
            grouped[OVERDUE].append(plan)
        else:
            grouped[OPEN].append(plan)
    grouped[CLOSED].sort(key=lambda p: p.closed_at or since, reverse=True)
    wanted = status if status in grouped else None
    return PlanBoard(
        [
            BoardColumn(key, label, grouped[key])
            for key, label in BOARD_COLUMNS
            if wanted in (None, key)
        ],
        today,
    )


def plan_detail(viewer: Viewer, pk: int) -> RemediationPlan:
    return get_scoped_or_404(_plans(viewer), viewer, pk=pk)


def plan_history(viewer: Viewer, plan: RemediationPlan, months: int = 6) -> list[BandStatus]:
    """The plan's KPI in the months since it opened (at most `months`), newest first."""
    return list(
        scope(BandStatus, viewer)
        .filter(governed_id=plan.governed_id, month__gte=plan.opened_month)
        .select_related("governed")
        .order_by("-month")[:months]
    )


def open_plans_count(viewer: Viewer, partner: Partner) -> int:
    return scope(RemediationPlan, viewer).filter(partner=partner, status=PlanStatus.OPEN).count()


# BAND STATUSES, EARLY WARNINGS, EXIT CRITERIA
# ------------------------------------------------------------------------------


def band_statuses_for(viewer: Viewer, partner: Partner, month: date) -> list[BandStatus]:
    """Where each governed KPI of a partner stands in the month containing `month`."""
    return list(
        scope(BandStatus, viewer)
        .filter(partner=partner, month=month_of(month).start)
        .select_related("governed")
        .order_by("channel", "kpi", "pk")
    )


def early_warnings(viewer: Viewer, today: date | None = None) -> list[BandStatus]:
    """This month's band statuses whose projection heads for remediation or a penalty."""
    month = month_of(today or clock.today(viewer.account)).start
    return list(
        scope(BandStatus, viewer)
        .filter(month=month)
        .exclude(heading="")
        .select_related("partner", "governed")
        .order_by("partner__name", "channel", "kpi", "pk")
    )


def exit_criteria_for(viewer: Viewer, partner: Partner) -> list[ExitCriterion]:
    """The exit criteria of a partner's contracts, with their progress."""
    return list(
        scope(ExitCriterion, viewer)
        .filter(contract__partner=partner)
        .select_related("contract")
        .order_by("contract__name", "pk")
    )


@dataclass(frozen=True)
class Standing:
    """A partner's contract standing this month: band statuses, open plans, exit criteria."""

    month: date
    statuses: list[BandStatus]
    open_plans: int
    criteria: list[ExitCriterion]

    @property
    def empty(self) -> bool:
        return not (self.statuses or self.open_plans or self.criteria)


def contract_standing(viewer: Viewer, partner: Partner, today: date | None = None) -> Standing:
    """Three queries, whatever the number of KPIs, plans and criteria."""
    month = month_of(today or clock.today(viewer.account)).start
    return Standing(
        month=month,
        statuses=band_statuses_for(viewer, partner, month),
        open_plans=open_plans_count(viewer, partner),
        criteria=exit_criteria_for(viewer, partner),
    )


def scorecard_band_statuses(viewer: Viewer, partner: Partner, period: Period) -> dict[str, object]:
    """The channel scorecard's SLA panel (registered with `kpis.sources`): bands are monthly,
    so it shows the month the period starts in, and nothing for a quarter."""
    if period.type is PeriodType.QUARTER:
        return {}
    sla_month = Period.containing(PeriodType.MONTH, period.start).start
    return {
        "sla_month": sla_month,
        "sla_statuses": band_statuses_for(viewer, partner, sla_month),
    }


CALIBRATION_DIP_KPIS = ("csat", "fcr", "qa", "calibration")


def quality_dips(viewer: Viewer, today: date) -> list[Dip]:
    """Quality KPIs decided into a remediation or penalty band last month or this one: the
    reasons for an ad hoc calibration (registered with `calibration.suggestions`)."""
    statuses = (
        scope(BandStatus, viewer)
        .filter(
            month__gte=(today.replace(day=1) - timedelta(days=1)).replace(day=1),
            kpi__in=CALIBRATION_DIP_KPIS,
            decision="decided",
            band_kind__in=("remediation", "penalty"),
        )
        .order_by("month", "partner_id", "kpi", "channel")
    )
    return [Dip(s.partner_id, s.kpi, s.month, s.explanation) for s in statuses]
