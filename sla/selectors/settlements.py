"""Reads for settlements: the list with its status filter, and one month's settlement with
its invoices, lines, carried adjustments and what a pending adjustment is made of. A fixed
number of queries however many rows (related rows through `select_related` or one scoped
`Prefetch`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet

from core.scoping import Viewer, get_scoped_or_404, scope
from partners.models import Channel, Partner
from sla import domain
from sla.currency import minor_digits
from sla.evaluation import month_of, outstanding_adjustment
from sla.models import (
    CarriedAdjustment,
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
