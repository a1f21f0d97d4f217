"""Reads for where a partner stands: band statuses, early warnings, exit criteria, the
scorecard's SLA panel and the quality dips that suggest a calibration. A fixed number of
queries whatever the number of KPIs, plans and criteria."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from calibration.suggestions import Dip
from core import clock
from core.scoping import Viewer, scope
from kpis.periods import Period, PeriodType
from partners.models import Partner
from sla import domain
from sla.currency import minor_digits
from sla.evaluation import month_of
from sla.models import BandStatus, ExitCriterion, Settlement
from sla.selectors.remediation import open_plans_count


def band_statuses_for(viewer: Viewer, partner: Partner, month: date) -> list[BandStatus]:
    """Where each governed KPI of a partner stands in the month containing `month`."""
    return list(
        scope(BandStatus, viewer)
        .filter(partner=partner, month=month_of(month).start)
        .select_related("governed")
        .order_by("channel", "kpi", "pk")
    )


@dataclass(frozen=True)
class StakedWarning:
    """An early warning with the money it puts at stake: the credit the projected band would
    take from the channel's invoice projected to month end at the pace so far, before the
    month's caps. `stake` is None when the month has no invoice for the channel yet, and
    zero for a band without a credit or a guardrail."""

    status: BandStatus
    band: domain.Band | None  # the band the projection lands in
    invoice: Decimal | None  # so far this month
    projected_invoice: Decimal | None
    stake: Decimal | None
    currency: str


@dataclass(frozen=True)
class PartnerWarnings:
    partner: Partner
    warnings: list[StakedWarning]
    currency: str

    @property
    def stake(self) -> Decimal:
        return sum((w.stake for w in self.warnings if w.stake is not None), Decimal(0))


def _staked(
    status: BandStatus, settlement: Settlement | None, month: Period, today: date
) -> StakedWarning:
    governed = status.governed
    band = None
    if status.projected_value is not None:
        specs = governed.band_specs()
        direction = domain.governable(governed.kpi).direction
        band = specs[domain.band_index(status.projected_value, specs, direction)]
    currency = settlement.currency if settlement else ""
    raw = (settlement.invoices.get(status.channel) or {}).get("amount") if settlement else None
    invoice = Decimal(raw) if raw not in (None, "") else None
    projected = stake = None
    if invoice is not None:
        elapsed = min((today - month.start).days + 1, month.days)
        projected = domain.round_money(
            domain.project_amount(invoice, days_elapsed=elapsed, days_in_period=month.days),
            minor_digits(currency),
        )
        if band is not None:
            stake = (
                Decimal(0)
                if governed.guardrail or not band.credit_pct
                else domain.band_amount(band, projected, minor_digits(currency))
            )
    return StakedWarning(status, band, invoice, projected, stake, currency)


def warnings_by_stake(viewer: Viewer, today: date | None = None) -> list[PartnerWarnings]:
    """This month's early warnings grouped by partner, the partner with the most money at
    stake first and, within a partner, the largest stake first (three queries)."""
    today = today or clock.today(viewer.account)
    month = month_of(today)
    statuses = list(
        scope(BandStatus, viewer)
        .filter(month=month.start)
        .exclude(heading="")
        .select_related("partner", "governed__sla")
        .prefetch_related("governed__bands")
        .order_by("partner__name", "channel", "kpi", "pk")
    )
    settlements = {
        s.contract_id: s
        for s in scope(Settlement, viewer).filter(
            month=month.start, contract_id__in={s.governed.sla.contract_id for s in statuses}
        )
    }
    groups: dict[int, list[StakedWarning]] = {}
    for status in statuses:
        settlement = settlements.get(status.governed.sla.contract_id)
        groups.setdefault(status.partner_id, []).append(_staked(status, settlement, month, today))
    result = []
    for warnings in groups.values():
        warnings.sort(key=lambda w: -(w.stake or Decimal(0)))
        currency = next((w.currency for w in warnings if w.currency), "")
        result.append(PartnerWarnings(warnings[0].status.partner, warnings, currency))
    result.sort(key=lambda group: (-group.stake, group.partner.name))
    return result


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
