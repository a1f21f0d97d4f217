"""The date-sensitive paths, run on each of tests/conftest.py's KEY_DATES (a month's first
and last day, a quarter's first day, 29 February, a Monday, a Sunday, the year's last day)
with the clock frozen there: the calibration cadence on the day a session falls due, the
nightly SLA run, the month-end projection and the settlement approval. Everything is
relative to `today`, so each date exercises its own month ends and week starts."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.test import TestCase

from calibration.domain import due_dates
from calibration.models import CalibrationSession, SessionKind
from calibration.tasks import calibration_schedule_task
from core.errors import DomainError
from kpis.periods import Period, PeriodType
from partners.models import Partner
from sla import services
from sla.models import BandStatus, RemediationPlan, Settlement, SettlementStatus
from sla.tasks import sla_evaluate_open_months_task
from tests.factories.calibration import make_rubric, viewer_of
from tests.factories.sla import govern_template, make_contract, make_sla, month_snapshot

pytestmark = pytest.mark.any_date
D = Decimal


def test_a_session_falling_due_today_is_scheduled_once_and_reminded_once(
    world, buyer_pm, buyer_reviewer, partner_lead, today
):
    """Harbor went live 5 weeks ago: its weekly session is due today."""
    make_rubric(buyer_pm)
    Partner.objects.filter(pk=world.pacific.pk).update(go_live_date=None)
    world.harbor.go_live_date = today - timedelta(weeks=5)
    world.harbor.save()
    assert today in due_dates(world.harbor.go_live_date, today)
    created = calibration_schedule_task.delay().get()
    expected = [today, today + timedelta(weeks=1), today + timedelta(weeks=2)]
    sessions = CalibrationSession.objects.filter(partner=world.harbor, kind=SessionKind.CADENCE)
    assert sorted(sessions.values_list("due_date", flat=True)) == expected
    assert created == 3
    assert calibration_schedule_task.delay().get() == 0  # idempotent
    # Due today is within three days: each reviewer is reminded, once.
    reminded = sorted(m.to[0] for m in mail.outbox)
    assert reminded == sorted([buyer_reviewer.email, partner_lead.email])
    calibration_schedule_task.delay().get()
    assert len(mail.outbox) == 2


def test_the_nightly_run_settles_last_month_and_projects_this_one(world, today):
    """CSAT chat at 70 % (penalty) last month and so far this month: last month is complete,
    settled with a 10 % credit and a plan opened; this month is projected, heading for
    penalty, with no plan yet."""
    this = Period.containing(PeriodType.MONTH, today)
    last = this.previous()
    contract = make_contract(
        world.harbor, channels=("chat",), start_date=last.start - timedelta(days=400),
        end_date=this.end + timedelta(days=400),
    )  # fmt: skip
    govern_template(make_sla(contract), "chat", "csat")
    for month in (last, this):
        month_snapshot(world.harbor, "chat", month.start, contacts=2000, csat_n=1000,
                       csat_positive=700)  # fmt: skip
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert sla_evaluate_open_months_task.delay().get() >= 1
    settled = Settlement.objects.get(contract=contract, month=last.start)
    assert (settled.invoice_total, settled.credit_total) == (D("8000.00"), D("800.00"))
    assert settled.status == SettlementStatus.DRAFT
    current = BandStatus.objects.get(governed__sla__contract=contract, month=this.start)
    assert not current.month_complete
    assert current.heading == "penalty"
    assert current.projected_value is not None
    previous = BandStatus.objects.get(governed__sla__contract=contract, month=last.start)
    assert previous.month_complete
    plans = RemediationPlan.objects.filter(partner=world.harbor)
    assert list(plans.values_list("opened_month", flat=True)) == [last.start]
    assert plans.get().due_date == today + timedelta(days=30)


def test_only_a_month_that_is_over_can_be_approved(world, buyer_pm, today):
    this = Period.containing(PeriodType.MONTH, today)
    last = this.previous()
    contract = make_contract(
        world.harbor, channels=("chat",), start_date=last.start, end_date=this.end
    )
    for month in (last, this):
        month_snapshot(world.harbor, "chat", month.start, contacts=100)
    pm = viewer_of(buyer_pm)
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.settlements_refresh(
            partner_id=world.harbor.pk, months=[last.start, this.start], reason="test"
        )
    current = Settlement.objects.get(contract=contract, month=this.start)
    with pytest.raises(DomainError, match="is not over yet"):
        services.settlement_approve(viewer=pm, settlement=current, today=today)
    previous = Settlement.objects.get(contract=contract, month=last.start)
    approved = services.settlement_approve(viewer=pm, settlement=previous, today=today)
    assert approved.status == SettlementStatus.APPROVED
    assert approved.invoice_total == D("400.00")
