"""The whole demo programme, as `seed_demo` builds it, tells the story the README promises:
three pricing models with explained settlements, Meridian drifting into remediation and then
penalty, calibration converging for two partners and diverging for Meridian, and QA scores
on the scorecards."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from calibration.models import CalibrationSession, QaEvaluation, SessionStatus
from kpis.models import KpiSnapshot
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
    """One seeding (it takes a while), three chapters."""
    call_command("seed_demo", today=TODAY, stdout=StringIO())
    contracts_and_settlements()
    calibration_converges_for_two_partners_and_diverges_for_meridian()
    qa_evaluations_reach_the_snapshots()


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
