"""Band design from pilot data (docs/domain.md, "SLA bands": "Good bands come from pilot
data: the pilot's actual distribution, not aspiration").

A partner's weekly channel totals over a range of weeks give one value per week; the
percentiles of those values cut the bands (`sla.domain.suggest_bands`), with consequences
from the matching band template. Reads go through `core.scoping.scope`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from core.scoping import Viewer, scope
from kpis.domain import Kpi, kpi_values
from kpis.models import KpiSnapshot
from kpis.periods import Period, PeriodType
from partners.models import Partner
from sla import domain

MIN_WEEKS = 4  # fewer weekly values than this say nothing about a distribution
PILOT_WEEKS = 12  # docs/domain.md, "Engagement stages": a pilot runs 60-90 days


@dataclass(frozen=True)
class WeekValue:
    week: Period
    value: Decimal | None  # in band units (percentages as 0-100); None: nothing measured
    sample: int


def weekly_values(
    *, viewer: Viewer, partner: Partner, channel: str, kpi: str, weeks: Sequence[Period]
) -> list[WeekValue]:
    """The KPI's value in each of `weeks` (oldest first) from the partner's weekly channel
    totals, with its sample. One query."""
    definition = domain.governable(kpi)
    if not weeks or kpi not in Kpi._value2member_map_:
        return [WeekValue(week, None, 0) for week in weeks]
    snapshots = scope(KpiSnapshot, viewer).filter(
        partner=partner,
        channel=channel,
        agent__isnull=True,
        period_type=PeriodType.WEEK.value,
        period_start__gte=weeks[0].start,
        period_start__lte=weeks[-1].start,
    )
    counts = {s.period_start: s.counts for s in snapshots}
    result = []
    for week in weeks:
        if week.start not in counts:
            result.append(WeekValue(week, None, 0))
            continue
        value = kpi_values(counts[week.start], period_days=week.days)[Kpi(kpi)]
        result.append(
            WeekValue(week, domain.band_unit_value(definition.unit, value.value), value.sample)
        )
    return result


def default_weeks(partner: Partner, today: date) -> tuple[date, date]:
    """The pilot's weeks: the 12 from the go-live week, or the last 12 complete weeks when
    the partner has no go-live date. (first week's Monday, last week's Monday)"""
    if partner.go_live_date is not None:
        first = Period.containing(PeriodType.WEEK, partner.go_live_date).start
        return first, first + timedelta(weeks=PILOT_WEEKS - 1)
    last = Period.containing(PeriodType.WEEK, today).previous()
    return last.last(PILOT_WEEKS)[0].start, last.start


@dataclass(frozen=True)
class Summary:
    n: int
    minimum: Decimal
    p10: Decimal
    median: Decimal
    p90: Decimal
    maximum: Decimal


def summarise(values: Sequence[Decimal]) -> Summary | None:
    if not values:
        return None
    return Summary(
        n=len(values),
        minimum=min(values),
        p10=domain.percentile(values, Decimal(10)),
        median=domain.percentile(values, Decimal(50)),
        p90=domain.percentile(values, Decimal(90)),
        maximum=max(values),
    )


def template_for(kpi: str) -> domain.Template | None:
    """The band template for a KPI, whose consequences suggested bands take."""
    return next((t for t in domain.TEMPLATES.values() if t.kpi == kpi), None)


@dataclass(frozen=True)
class Design:
    kpi: domain.GovernableKpi
    weeks: list[WeekValue]
    summary: Summary | None
    bands: list[domain.Band]  # empty with fewer than MIN_WEEKS weekly values
    guardrail: bool
    template: domain.Template | None
    min_sample: int  # the governed KPI's, decided from n ≥ this in every band

    @property
    def values(self) -> list[Decimal]:
        return [w.value for w in self.weeks if w.value is not None]

    @property
    def enough_data(self) -> bool:
        return len(self.values) >= MIN_WEEKS


def band_design(
    *,
    viewer: Viewer,
    partner: Partner,
    channel: str,
    kpi: str,
    weeks: Sequence[Period],
    cuts: tuple[Decimal, Decimal, Decimal],
    guardrail: bool | None = None,
    min_sample: int | None = None,
) -> Design:
    """Weekly values, their summary and the suggested bands. `guardrail` None: the
    template's choice, else a guardrail for efficiency KPIs. A guardrail's suggested bands
    carry no money (they open a review). `min_sample` None: Keel's default (the KPI is not
    governed yet). Raises ValueError for percentiles out of order."""
    definition = domain.governable(kpi)
    template = template_for(kpi)
    if guardrail is None:
        guardrail = template.guardrail if template else definition.efficiency
    found = weekly_values(viewer=viewer, partner=partner, channel=channel, kpi=kpi, weeks=weeks)
    values = [w.value for w in found if w.value is not None]
    bands: list[domain.Band] = []
    if len(values) >= MIN_WEEKS:
        bands = domain.suggest_bands(
            values, definition, cuts=cuts, template=template.bands if template else None
        )
        if guardrail:
            bands = [replace(b, bonus_pct=domain.ZERO, credit_pct=domain.ZERO) for b in bands]
    return Design(
        definition, found, summarise(values), bands, guardrail, template,
        min_sample if min_sample is not None else domain.DEFAULT_MIN_SAMPLE,
    )  # fmt: skip
