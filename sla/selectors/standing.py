"""Reads for where a partner stands: band statuses, early warnings, exit criteria, the
scorecard's SLA panel and the quality dips that suggest a calibration. A fixed number of
queries whatever the number of KPIs, plans and criteria."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from calibration.suggestions import Dip
from core import clock
from core.scoping import Viewer, scope
from kpis.periods import Period, PeriodType
from partners.models import Partner
from sla.evaluation import month_of
from sla.models import BandStatus, ExitCriterion
from sla.selectors.remediation import open_plans_count


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
