"""The demo programme's KPI data tells a true story: Meridian drifts down after month six."""

from __future__ import annotations

from datetime import date, timedelta

from demo import accounts as demo
from demo import kpis as kpi_demo
from kpis.domain import Kpi, kpi_values, total
from kpis.models import AggregateReport, Interaction, KpiSnapshot
from kpis.periods import Period, PeriodType
from partners.models import Agent, InteractionType, Partner

TODAY = date(2026, 11, 23)


def monthly(partner: Partner, kpi: Kpi) -> dict[date, float]:
    snapshots = KpiSnapshot.objects.filter(partner=partner, agent=None, period_type="month")
    by_month: dict[date, list] = {}
    for s in snapshots:
        by_month.setdefault(s.period_start, []).append(s.counts)
    return {
        month: float(kpi_values(total(counts), period_days=30)[kpi].value or 0)
        for month, counts in sorted(by_month.items())
        if total(counts).contacts
    }


def test_demo_kpi_data(db):
    account = demo.build(seed=2026, today=TODAY)
    rows = kpi_demo.build(account=account, seed=2026, today=TODAY)
    # Per-contact rows for the last eight weeks, weekly aggregate reports before them.
    detail_from = Period.containing(PeriodType.WEEK, TODAY).start - timedelta(weeks=7)
    assert rows["interactions"] == Interaction.objects.count() > 10_000
    assert rows["aggregate_reports"] == AggregateReport.objects.count() > 5_000
    assert not Interaction.objects.filter(opened_at__date__lt=detail_from).exists()
    assert not AggregateReport.objects.filter(period_start__gte=detail_from).exists()
    assert set(Interaction.objects.values_list("channel", flat=True)) == {
        "voice",
        "email",
        "chat",
        "social",
    }
    # The interaction-type mix follows docs/domain.md, "Scope": 2500/1200/800/300/200.
    mix = {t.code: t.interactions.count() for t in InteractionType.objects.filter(account=account)}
    assert max(mix, key=mix.get) == "order-status"
    assert mix["order-status"] / sum(mix.values()) > 0.4

    harbor = Partner.objects.get(account=account, name="Harborline Support")
    meridian = Partner.objects.get(account=account, name="Meridian Contact")
    assert len(monthly(harbor, Kpi.CSAT)) >= 12
    csat = list(monthly(meridian, Kpi.CSAT).values())
    early, late = sum(csat[1:6]) / 5, sum(csat[-3:]) / 3
    assert early - late > 0.06, csat  # the drift after month six
    harbor_csat = list(monthly(harbor, Kpi.CSAT).values())
    assert abs(sum(harbor_csat[1:6]) / 5 - sum(harbor_csat[-3:]) / 3) < 0.04, harbor_csat
    fcr = list(monthly(meridian, Kpi.FCR).values())
    assert sum(fcr[1:6]) / 5 - sum(fcr[-3:]) / 3 > 0.05, fcr
    # Attrition comes from the roster into the channel snapshots.
    assert KpiSnapshot.objects.filter(partner=meridian, period_type="month", leavers__gt=0).exists()


def test_demo_generation_is_deterministic(db):
    account = demo.build(seed=7, today=TODAY)
    partner = Partner.objects.get(account=account, name="Lotus CX Services")
    agents = list(
        Agent.objects.filter(partner=partner).select_related("team").order_by("external_id")
    )
    types = list(InteractionType.objects.filter(account=account).order_by("code"))

    def fingerprint():
        data = kpi_demo.generate(partner, agents, types, TODAY, seed=7)
        return (
            [
                (r.agent.external_id, r.period_start, r.contacts, r.csat_positive)
                for r in data.reports
            ],
            [(i.external_id, i.opened_at, i.csat, i.handle_seconds) for i in data.interactions],
        )

    assert fingerprint() == fingerprint()
