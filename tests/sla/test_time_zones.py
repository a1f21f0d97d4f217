"""Settlements, band statuses and the nightly run follow the account's time zone: its months
are cut at its midnights, and "today" (is the month over? which months are open?) is the
date there. Worked by hand:

Manila is UTC+8. 15:30 UTC on 31 October 2026 is 23:30 there (October); 16:30 UTC is 00:30
on 1 November. At 03:00 UTC on 1 November, when the nightly evaluation runs, it is 11:00 on
1 November in Manila (October is over) and 23:00 on 31 October in New York (UTC-4 until
06:00 UTC that day: October is not over).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from calibration.models import CalibrationSession
from core import clock
from kpis.models import Interaction
from kpis.periods import Period, PeriodType
from kpis.snapshots import partner_recompute
from partners.models import InteractionType
from sla.evaluation import calibration_alignment, evaluate_contract_month, open_months
from sla.models import BandStatus, PlanStatus, RemediationPlan, Settlement
from sla.tasks import sla_evaluate_open_months_task
from tests.factories.calibration import make_rubric, make_session
from tests.factories.sla import govern_template, make_contract, make_sla, month_snapshot

D = Decimal
SEPTEMBER, OCTOBER, NOVEMBER = date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1)
MANILA_LATE_OCTOBER = datetime(2026, 10, 31, 15, 30, tzinfo=UTC)  # 23:30, 31 Oct in Manila
MANILA_EARLY_NOVEMBER = datetime(2026, 10, 31, 16, 30, tzinfo=UTC)  # 00:30, 1 Nov in Manila
NIGHTLY_RUN = datetime(2026, 11, 1, 3, 0, tzinfo=UTC)  # beat's 03:00 UTC on 1 November
# At the frozen dates' 10:30 UTC, Kiritimati (UTC+14) is already at 00:30 the next day.
TOMORROW_ZONE = "Pacific/Kiritimati"


def in_zone(account, name):
    account.time_zone = name
    account.save(update_fields=["time_zone"])
    return account


def per_contact_contract(partner):
    """CSAT bands on chat (remediation 75-82 %, opening a plan), 3.00 USD per chat contact."""
    contract = make_contract(partner, pricing_model="per_contact", rate=D("3.00"))
    govern_template(make_sla(contract), "chat", "csat")
    return contract


def invoices(contract):
    return {s.month: s.invoice_total for s in Settlement.objects.filter(contract=contract)}


@pytest.mark.parametrize(
    ("zone", "october", "november"),
    [
        # Manila: one contact on each side of its midnight.
        ("Asia/Manila", D("3.00"), D("3.00")),
        # UTC: both contacts are on 31 October.
        ("UTC", D("6.00"), D("0.00")),
    ],
)
def test_the_october_settlement_counts_contacts_of_october_in_the_accounts_zone(
    world, zone, october, november
):
    in_zone(world.account, zone)
    contract = per_contact_contract(world.harbor)
    billing = InteractionType.objects.create(account=world.account, code="billing", name="Billing")
    for external_id, opened_at in (("T-1", MANILA_LATE_OCTOBER), ("T-2", MANILA_EARLY_NOVEMBER)):
        Interaction.objects.create(
            partner=world.harbor, agent=world.harbor_agent, channel="chat",
            interaction_type=billing, external_id=external_id, opened_at=opened_at, csat=5,
        )  # fmt: skip
    partner_recompute(partner_id=world.harbor.pk, first=OCTOBER, last=date(2026, 11, 30))

    for month in (OCTOBER, NOVEMBER):
        evaluate_contract_month(contract, month, date(2026, 12, 5))

    assert invoices(contract) == {OCTOBER: october, NOVEMBER: november}


@pytest.fixture
def manila_and_new_york(world):
    """Harbor (Northwind, in Manila) and Zanzibar (Globex, in New York), each with a contract
    and the same October: CSAT chat 78 % (remediation, which opens a plan once the month is
    over) on 1,000 contacts."""
    in_zone(world.account, "Asia/Manila")
    in_zone(world.other_account, "America/New_York")
    contracts = {}
    for partner in (world.harbor, world.zanzibar):
        contracts[partner.pk] = per_contact_contract(partner)
        month_snapshot(partner, "chat", OCTOBER, contacts=1000, csat_n=500, csat_positive=390)
    return contracts


@pytest.mark.time_machine(NIGHTLY_RUN, tick=False)
def test_the_nightly_run_closes_october_in_manila_but_not_yet_in_new_york(
    world, manila_and_new_york
):
    assert sla_evaluate_open_months_task.delay().get() == 2

    # Manila: today is 1 November, so the open months are October and November.
    harbor = manila_and_new_york[world.harbor.pk]
    assert set(invoices(harbor)) == {OCTOBER, NOVEMBER}
    october = BandStatus.objects.get(partner=world.harbor, month=OCTOBER)
    assert october.month_complete
    assert october.projected_value is None  # a complete month is not projected
    plan = RemediationPlan.objects.get(partner=world.harbor)
    assert (plan.status, plan.opened_month) == (PlanStatus.OPEN, OCTOBER)
    assert plan.due_date == date(2026, 11, 1) + timedelta(days=plan.governed.sla.remediation_days)

    # New York: still 31 October, so the open months are September and October, and
    # October is projected to its end rather than closed.
    zanzibar = manila_and_new_york[world.zanzibar.pk]
    assert set(invoices(zanzibar)) == {SEPTEMBER, OCTOBER}
    october = BandStatus.objects.get(partner=world.zanzibar, month=OCTOBER)
    assert not october.month_complete
    assert october.projected_value is not None
    assert not RemediationPlan.objects.filter(partner=world.zanzibar).exists()


@pytest.mark.time_machine(NIGHTLY_RUN, tick=False)
def test_evaluations_of_today_are_stamped_now_in_every_zone(world, manila_and_new_york):
    sla_evaluate_open_months_task.delay().get()
    stamps = set(Settlement.objects.values_list("computed_at", flat=True))
    assert stamps == {clock.now()}


@pytest.mark.time_machine(datetime(2026, 10, 31, 20, 0, tzinfo=UTC), tick=False)
def test_october_can_be_approved_once_it_is_over_in_the_accounts_zone(
    world, manila_and_new_york, buyer_pm, outsider_pm, login
):
    # Still 31 October in UTC; 04:00 on 1 November in Manila; 16:00 on 31 October in New York.
    for partner in (world.harbor, world.zanzibar):
        contract = manila_and_new_york[partner.pk]
        evaluate_contract_month(contract, OCTOBER, clock.today(partner.account))
    manila = Settlement.objects.get(partner=world.harbor, month=OCTOBER)
    new_york = Settlement.objects.get(partner=world.zanzibar, month=OCTOBER)

    approve = "sla:settlement-approve"
    login(buyer_pm).post(reverse(approve, args=[manila.pk]))
    response = login(outsider_pm).post(reverse(approve, args=[new_york.pk]), follow=True)

    manila.refresh_from_db()
    new_york.refresh_from_db()
    assert manila.is_approved
    assert not new_york.is_approved
    assert "October 2026 is not over yet" in response.content.decode()


def test_calibration_alignment_counts_sessions_revealed_in_the_month_in_the_accounts_zone(
    world, buyer_pm, buyer_reviewer, partner_lead
):
    in_zone(world.account, "Asia/Manila")
    rubric = make_rubric(buyer_pm)
    reviewers = [(buyer_reviewer, "buyer"), (partner_lead, "partner")]
    late_october = make_session(buyer_pm, world.harbor, rubric, reviewers)
    early_november = make_session(buyer_pm, world.harbor, rubric, reviewers)
    revealed = [
        (late_october, MANILA_LATE_OCTOBER, D("0.8")),
        (early_november, MANILA_EARLY_NOVEMBER, D("0.6")),
    ]
    for session, revealed_at, agreement in revealed:
        CalibrationSession.objects.filter(pk=session.pk).update(
            revealed_at=revealed_at, agreement=agreement
        )

    def alignment(month):
        measured = calibration_alignment(world.harbor.pk, Period(PeriodType.MONTH, month))
        return (measured.value, measured.sample) if measured else None

    assert alignment(OCTOBER) == (D("0.8"), 1)
    assert alignment(NOVEMBER) == (D("0.6"), 1)


@pytest.mark.any_date
def test_the_nightly_run_evaluates_the_open_months_of_each_accounts_today(world, today):
    # Northwind is in Kiritimati, where it is already tomorrow; Globex stays in UTC.
    in_zone(world.account, TOMORROW_ZONE)
    tomorrow = today + timedelta(days=1)
    assert clock.today(world.account) == tomorrow
    contracts = {
        partner.pk: make_contract(partner, start_date=date(2026, 1, 1), end_date=date(2030, 12, 31))
        for partner in (world.harbor, world.zanzibar)
    }

    sla_evaluate_open_months_task.delay().get()

    # On a month's last day, Kiritimati is in the next month already: its open months are
    # that month and the one that just ended.
    assert set(invoices(contracts[world.harbor.pk])) == set(open_months(tomorrow))
    assert set(invoices(contracts[world.zanzibar.pk])) == set(open_months(today))


@pytest.mark.time_machine(datetime(2026, 11, 1, 3, 0, tzinfo=UTC), tick=False)
def test_pages_show_times_in_the_accounts_time_zone(world, login, buyer_pm):
    """Evaluated at 03:00 UTC on 1 November: 11:00 in Manila, which is what the page says."""
    in_zone(world.account, "Asia/Manila")
    contract = per_contact_contract(world.harbor)
    month_snapshot(world.harbor, "chat", OCTOBER, contacts=10)
    evaluate_contract_month(contract, OCTOBER, clock.today(world.account))
    settlement = Settlement.objects.get(contract=contract, month=OCTOBER)
    page = login(buyer_pm).get(reverse("sla:settlement-detail", args=[settlement.pk]))
    assert "figures computed 1 Nov 2026, 11:00" in page.content.decode()
