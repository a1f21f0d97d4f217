"""The whole demo programme, as `seed_demo` builds it, tells the story the README promises:
three pricing models with explained settlements, Meridian drifting into remediation and then
penalty, calibration converging for two partners and diverging for Meridian, QA scores on
the scorecards, and the engagements: the selection that chose Harborline, a scope, a pilot
and gated expansions per partner, Meridian's work drifting out of its scope, and the cost
per resolved contact."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from calibration.models import CalibrationSession, QaEvaluation, SessionStatus
from engagements import selectors as engagement_selectors
from engagements.models import EngagementStage, Selection, SelectionStatus
from kpis.models import KpiSnapshot
from partners.models import InteractionType, Membership, Partner
from partners.scoping import viewer_for_membership
from sla.models import Contract, RemediationPlan, Settlement, SettlementLine

TODAY = date(2026, 11, 23)


pytestmark = pytest.mark.django_db


def agreements(partner: str) -> list[float]:
    return [
        float(a)
        for a in CalibrationSession.objects.filter(partner__name=partner, agreement__isnull=False)
        .order_by("due_date")
        .values_list("agreement", flat=True)
    ]


def test_the_demo_tells_its_story():
    """One seeding (it takes a while), four chapters."""
    out = StringIO()
    call_command("seed_demo", today=TODAY, stdout=out)
    contracts_and_settlements()
    calibration_converges_for_two_partners_and_diverges_for_meridian()
    qa_evaluations_reach_the_snapshots()
    engagements_from_selection_to_cost(out.getvalue())


def contracts_and_settlements():
    models = dict(
        Contract.objects.filter(partner__account__slug="northwind-retail").values_list(
            "partner__name", "pricing_model"
        )
    )
    assert models == {
        "Harborline Support": "per_hour",
        "Meridian Contact": "per_contact",
        "Lotus CX Services": "hybrid",
    }
    for settlement in Settlement.objects.filter(partner__account__slug="northwind-retail"):
        assert settlement.invoice_total > 0, settlement
        lines = SettlementLine.objects.filter(settlement=settlement, basis="settled")
        assert lines.exists()
        assert all(line.explanation for line in lines)
    meridian = Settlement.objects.filter(partner__name="Meridian Contact").order_by("month")
    assert meridian.last().credit_total > 0  # penalty by now
    assert RemediationPlan.objects.filter(partner__name="Meridian Contact", status="open").exists()
    assert Settlement.objects.filter(status="draft").exists()
    assert Settlement.objects.filter(status="approved").exists()


def calibration_converges_for_two_partners_and_diverges_for_meridian():
    for partner in ("Harborline Support", "Lotus CX Services"):
        series = agreements(partner)
        assert len(series) >= 10
        assert sum(series[-3:]) / 3 > sum(series[:3]) / 3, (partner, series)
    meridian = agreements("Meridian Contact")
    assert sum(meridian[-3:]) / 3 < sum(meridian[:3]) / 3, meridian
    assert CalibrationSession.objects.filter(status=SessionStatus.REVEALED).exists()
    assert CalibrationSession.objects.filter(status=SessionStatus.CLOSED).count() > 30


def qa_evaluations_reach_the_snapshots():
    assert QaEvaluation.objects.count() > 1_000
    assert KpiSnapshot.objects.filter(agent__isnull=True, period_type="month", qa_n__gt=0).exists()


NORTHWIND = ("Harborline Support", "Meridian Contact", "Lotus CX Services")


def engagements_from_selection_to_cost(summary: str):
    membership = Membership.objects.get(user__email="pm@northwind.example")
    pm = viewer_for_membership(membership)
    partners = {p.name: p for p in Partner.objects.filter(account=membership.account)}
    assert set(partners) == set(NORTHWIND)
    assert "scope versions" in summary
    assert "1 partner selection with 3 candidates" in summary
    assert InteractionType.objects.get(account=membership.account, code="order-status").is_routine
    each_partner_has_a_scope_a_pilot_and_two_expansions(pm, partners)
    the_selection_chose_harborline_over_the_cheapest_headline(pm, partners["Harborline Support"])
    meridian_drifts_out_of_its_scope(pm, partners)
    cost_per_resolved_contact_on_the_partner_pages(pm, partners, membership.user)


def each_partner_has_a_scope_a_pilot_and_two_expansions(pm, partners):
    for partner in partners.values():
        scope = engagement_selectors.current_scope(pm, partner)
        assert scope is not None, partner
        assert scope.governance_monthly == Decimal("14250.00")  # 1.5 FTE × 9,500.00
        assert scope.baselines.count() == scope.lines.values("channel").distinct().count()
        assert scope.items.filter(kind="compliance", done=True).exists()
        stages = engagement_selectors.stages(pm, partner)
        assert [(s.kind, s.expansion) for s in stages] == [
            ("selection", ""),
            ("pilot", ""),
            ("expansion", "interaction_type"),
            ("expansion", "channel"),
        ], partner
        pilot = stages[1]
        assert pilot.started_on == partner.go_live_date
        assert 60 <= (pilot.ended_on - pilot.started_on).days <= 90
        assert (len(pilot.channels), len(pilot.shifts)) == (1, 1)
        assert [t.code for t in pilot.interaction_types.all()] == ["order-status"]
        assert all(s.gate_green is not None for s in stages[2:])  # each gate recorded
    harborline = engagement_selectors.stages(pm, partners["Harborline Support"])
    assert all(s.gate_green for s in harborline[2:])
    meridian_channel = engagement_selectors.stages(pm, partners["Meridian Contact"])[-1]
    assert meridian_channel.approved_despite_red
    assert meridian_channel.gate_reasons
    assert meridian_channel.override_reason.startswith("Peak season staffing")
    assert EngagementStage.objects.exclude(ramp_flag="").filter(kind="expansion").exists()
    current = engagement_selectors.current_scope(pm, partners["Harborline Support"])
    assert current.version == 2
    assert "weekend" in current.note
    volumes = engagement_selectors.forecast_vs_actual(
        pm, partners["Harborline Support"], current, TODAY
    )
    assert volumes.forecast_peak_to_trough > Decimal("1.7")


def the_selection_chose_harborline_over_the_cheapest_headline(pm, harborline):
    selection = Selection.objects.get(account=harborline.account)
    assert selection.status == SelectionStatus.CHOSEN
    assert selection.decided_at.date() < harborline.go_live_date
    comparison = engagement_selectors.comparison(pm, selection)
    assert len(comparison.columns) == 3
    assert comparison.evaluators == 3
    chosen = next(c for c in comparison.columns if c.candidate.partner == harborline)
    others = [c for c in comparison.columns if c is not chosen]
    cheapest = min(comparison.columns, key=lambda c: c.projection.headline_cost)
    assert cheapest is not chosen
    assert cheapest.red_flags
    # The enthusiast's 5s do not carry the cheapest candidate: the median keeps it last.
    assert cheapest.result.high == Decimal("5.00")
    assert chosen.result.score > max(c.result.score for c in others)
    assert comparison.scope is not None
    assert comparison.scope.partner == harborline


def meridian_drifts_out_of_its_scope(pm, partners):
    shares = {}
    for name in ("Harborline Support", "Meridian Contact"):
        partner = partners[name]
        scope = engagement_selectors.current_scope(pm, partner)
        found, _start, _end = engagement_selectors.recent_discipline(pm, partner, scope, TODAY)
        assert found.contacts > 1_000
        shares[name] = found
    assert shares["Harborline Support"].share >= Decimal("0.95")
    assert shares["Meridian Contact"].share < Decimal("0.95")
    assert {o.type_code for o in shares["Meridian Contact"].out_of_scope} == {
        "billing",
        "escalation",
    }


def cost_per_resolved_contact_on_the_partner_pages(pm, partners, user):
    client = Client()
    client.force_login(user)
    for partner in partners.values():
        latest = engagement_selectors.costs(pm, partner, TODAY).latest
        assert latest is not None, partner
        assert latest.per_resolved is not None, partner
        page = client.get(reverse("partners:partner-detail", args=[partner.pk]))
        assert page.status_code == 200
        html = page.content.decode()
        assert "Scope discipline" in html
        assert "Cost per resolved contact" in html
