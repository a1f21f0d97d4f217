"""What a month is evaluated from, and each governed KPI's result: the month's KPI counts,
calibration alignment, the contract's governed KPIs and rate card, and the dates that say
which month and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from django.db.models import Prefetch, prefetch_related_objects

from calibration.models import CalibrationSession
from core import clock
from kpis.domain import Counts, Kpi, KpiValue, kpi_values
from kpis.models import KpiSnapshot
from kpis.periods import Period, PeriodType
from kpis.snapshots import partner_zone
from partners.models import Channel
from sla import domain
from sla.models import Band, Contract, GovernedKpi, RateLine

CHANNEL_LABELS = dict(Channel.choices)


def month_of(day: date) -> Period:
    return Period.containing(PeriodType.MONTH, day)


def moment(today: date, where: clock.Zone = None) -> datetime:
    """When the evaluation happens: now, or 03:00 on `today` in `where` (the account) when it
    replays an earlier day (the demo's history, a test's hand-worked example)."""
    if today == clock.today(where):
        return clock.now()
    return datetime.combine(today, time(3, 0), tzinfo=clock.zone(where))


def month_counts(partner_id: int, month: date) -> dict[str, Counts]:
    """The channel totals of one month (snapshots without an agent)."""
    rows = KpiSnapshot.objects.filter(
        partner_id=partner_id, agent__isnull=True, period_type=PeriodType.MONTH, period_start=month
    )
    return {s.channel: s.counts for s in rows}


def kpi_value(key: str, counts: Counts | None, period: Period) -> KpiValue | None:
    """A governed KPI's value from a channel's counts; None when nothing measures it."""
    if counts is None or key not in Kpi._value2member_map_:
        return None
    return kpi_values(counts, period_days=period.days)[Kpi(key)]


def with_rates(contract: Contract) -> Contract:
    """The contract with its rate card loaded (one query), for the invoices."""
    prefetch_related_objects(
        [contract], Prefetch("rates", queryset=RateLine.objects.select_related("interaction_type"))
    )
    return contract


def governed_kpis(contract: Contract) -> list[GovernedKpi]:
    return list(
        GovernedKpi.objects.filter(sla__contract=contract)
        .select_related("sla__contract")
        .prefetch_related(Prefetch("bands", queryset=Band.objects.order_by("position")))
        .order_by("channel", "kpi", "pk")
    )


@dataclass(frozen=True)
class Evaluated:
    governed: GovernedKpi
    result: domain.BandResult
    projection: domain.BandResult | None


def calibration_alignment(
    partner_id: int, period: Period, where: clock.Zone = None
) -> domain.Measured | None:
    """The mean agreement of the partner's calibration sessions revealed in the period, whose
    days are those of `where` (default: the partner's account's time zone)."""
    zone = clock.zone(where) if where is not None else partner_zone(partner_id)
    sessions = CalibrationSession.objects.filter(
        partner_id=partner_id,
        revealed_at__gte=clock.start_of(period.start, zone),
        revealed_at__lt=clock.start_of(period.next().start, zone),
        agreement__isnull=False,
    )
    agreements = [a for a in sessions.values_list("agreement", flat=True) if a is not None]
    if not agreements:
        return None
    return domain.Measured(sum(agreements, Decimal(0)) / len(agreements), len(agreements))


def evaluate_governed(
    governed: list[GovernedKpi], counts: dict[str, Counts], period: Period, today: date
) -> list[Evaluated]:
    complete = today > period.end
    # Days with data so far, today's (partial) day included.
    elapsed = min((today - period.start).days + 1, period.days)
    out = []
    alignment = None
    if any(g.kpi == domain.CALIBRATION for g in governed):
        alignment = calibration_alignment(governed[0].sla.contract.partner_id, period)
    for g in governed:
        bands = g.band_specs()
        if not bands:
            continue
        value: KpiValue | domain.Measured | None = (
            alignment
            if g.kpi == domain.CALIBRATION
            else kpi_value(g.kpi, counts.get(g.channel), period)
        )
        result = domain.evaluate(g.definition, value, bands, min_sample=g.min_sample)
        projection = None
        # Contact KPIs accrue through the month and are projected; sessions are not.
        if not complete and isinstance(value, KpiValue) and value.value is not None:
            projected = domain.project(value, days_elapsed=elapsed, days_in_period=period.days)
            projection = domain.evaluate(g.definition, projected, bands, min_sample=g.min_sample)
        out.append(Evaluated(g, result, projection))
    return out
