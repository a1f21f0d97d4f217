"""Drafts follow their inputs: whatever feeds a settlement (KPI data for any open month,
volumes, bands, rates, caps, calibration) re-evaluates the months it reaches in the
background; until then the page says the figures are out of date. Plans the corrected data
no longer supports are withdrawn or flagged; a pending adjustment shows its parts; an
approval through a token names the token. Hand-worked, with the clock frozen on
5 November 2026."""

from __future__ import annotations

import html
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.test import TestCase
from rest_framework.test import APIClient

from kpis.models import KpiSnapshot
from partners.models import InteractionType, Membership
from partners.scoping import viewer_for_membership
from partners.services import api_token_create
from sla import evaluation, services
from sla.models import PlanStatus, RemediationPlan, Settlement, SettlementStatus
from tests.factories.partners import AgentFactory
from tests.factories.sla import govern_template, make_contract, make_sla, month_snapshot

D = Decimal
JULY, AUGUST, SEPTEMBER, OCTOBER = (date(2026, m, 1) for m in (7, 8, 9, 10))
TODAY = date(2026, 11, 5)
pytestmark = pytest.mark.time_machine(datetime(2026, 11, 5, 9, 0, tzinfo=UTC), tick=False)
BULK = "/api/v1/imports/interactions/"


def after_commit():
    """Run what a change sends to the background once it commits (Celery is eager here)."""
    return TestCase.captureOnCommitCallbacks(execute=True)


@pytest.fixture
def pm(buyer_pm):
    return viewer_for_membership(Membership.objects.get(user=buyer_pm))


@pytest.fixture
def contract(world):
    """Chat at 4.00 a contact, the CSAT template's bands (penalty 10 %, remediation, base,
    bonus 5 %), credits capped at 10 % of the invoice."""
    contract = make_contract(world.harbor, channels=("chat",), rate=D("4.00"))
    govern_template(make_sla(contract), "chat", "csat")
    return contract


def settle(contract, month, contacts, csat_n, positive):
    month_snapshot(
        contract.partner, "chat", month, contacts=contacts, csat_n=csat_n, csat_positive=positive
    )
    evaluation.evaluate_contract_month(contract, month, TODAY)
    return Settlement.objects.get(contract=contract, month=month)


def token_client(user) -> APIClient:
    viewer = viewer_for_membership(Membership.objects.get(user=user))
    _, key = api_token_create(viewer=viewer, name="Helpdesk sync", partner=None, read_only=False)
    return APIClient(HTTP_AUTHORIZATION=f"Bearer {key}")


# LATE DATA, THREE MONTHS BACK
# ------------------------------------------------------------------------------


def test_late_data_re_evaluates_an_open_month_three_months_back(world, contract, buyer_pm):
    """July is still a draft in November: 1,000 contacts invoiced 4,000.00. Three more July
    contacts arrive over REST; the import re-evaluates July at once, not only October and
    November: 1,003 contacts, 4,012.00."""
    july = settle(contract, JULY, 1000, 0, 0)
    assert july.invoice_total == D("4000.00")
    InteractionType.objects.create(account=world.account, code="billing", name="Billing")
    AgentFactory(partner=world.harbor, team=world.harbor_team, external_id="901")
    rows = [
        {"external_id": f"LATE-{n}", "agent_id": "901", "channel": "chat",
         "interaction_type": "billing", "opened_at": f"2026-07-1{n}T10:00:00+00:00"}
        for n in range(3)
    ]  # fmt: skip
    # The import recounts July from its rows: the three, on top of the month's reports.
    KpiSnapshot.objects.filter(period_type="month", period_start=JULY).delete()
    from kpis.models import AggregateReport

    AggregateReport.objects.create(
        partner=world.harbor, channel="chat", period_type="month", period_start=JULY,
        contacts=1000,
    )  # fmt: skip
    with after_commit():
        response = token_client(buyer_pm).post(
            BULK, {"partner": world.harbor.pk, "rows": rows}, format="json"
        )
    assert response.status_code == 201, response.json()
    july.refresh_from_db()
    assert july.invoice_total == D("4012.00")
    assert july.invoices["chat"]["explanation"] == "1,003 chat contacts × 4.00 USD = 4,012.00 USD"
    assert july.is_current


def test_the_page_never_shows_a_figure_older_than_its_inputs_as_current(
    world, contract, pm, login, buyer_pm
):
    october = settle(contract, OCTOBER, 1000, 0, 0)
    url = f"/settlements/{october.pk}/"
    assert "Out of date" not in login(buyer_pm).get(url).content.decode()
    # The rate changes; the background evaluation has not run yet (the change is still
    # waiting for its commit): the settlement says its figures are out of date.
    with TestCase.captureOnCommitCallbacks(execute=False) as queued:
        services.contract_save(
            viewer=pm,
            contract=contract,
            rates=[services.RateInput("chat", "per_contact", D("4.50"))],
        )
    october.refresh_from_db()
    assert not october.is_current
    assert october.stale_reason == "the contract's terms changed"
    page = html.unescape(login(buyer_pm).get(url).content.decode())
    assert "Out of date:" in page
    assert "The contract's terms changed on 5 Nov 2026, 09:00" in page
    assert "4,000.00 USD" in page  # the old figure, marked as such
    for callback in queued:
        callback()
    october.refresh_from_db()
    assert (october.invoice_total, october.is_current) == (D("4500.00"), True)
    assert "Out of date" not in login(buyer_pm).get(url).content.decode()


def test_bands_rates_and_caps_reach_every_draft_but_no_approved_month(world, contract, pm):
    september = settle(contract, SEPTEMBER, 1000, 100, 70)  # CSAT 70 %: penalty, 400.00
    october = settle(contract, OCTOBER, 1000, 100, 70)
    services.settlement_approve(viewer=pm, settlement=september, today=TODAY)
    assert services.contract_open_months(contract) == [OCTOBER, date(2026, 11, 1)]
    contract.credit_cap_pct = D(5)
    with after_commit():
        services.contract_save(viewer=pm, contract=contract)
    september.refresh_from_db()
    october.refresh_from_db()
    assert october.credit_total == D("200.00")  # capped at 5 % of 4,000.00
    assert september.credit_total == D("400.00")  # approved: as it was settled
    assert not september.has_pending_adjustment


def test_hours_entered_for_an_approved_month_become_its_pending_adjustment(world, pm):
    contract = make_contract(world.harbor, channels=("voice",), pricing_model="per_hour",
                             rate=D("20.00"))  # fmt: skip
    with after_commit():
        services.volume_save(viewer=pm, contract=contract, channel="voice", month=SEPTEMBER,
                             hours=D(100), fte=None)  # fmt: skip
    september = Settlement.objects.get(contract=contract, month=SEPTEMBER)
    assert september.invoice_total == D("2000.00")
    services.settlement_approve(viewer=pm, settlement=september, today=TODAY)
    with after_commit():
        services.volume_save(viewer=pm, contract=contract, channel="voice", month=SEPTEMBER,
                             hours=D(110), fte=None)  # fmt: skip
    september.refresh_from_db()
    assert (september.invoice_total, september.adjustment) == (D("2000.00"), D("200.00"))


def test_the_nightly_run_evaluates_every_open_month(world, contract):
    settle(contract, JULY, 1000, 0, 0)
    assert evaluation.partner_open_months(world.harbor.pk, TODAY) == [
        JULY, OCTOBER, date(2026, 11, 1),
    ]  # fmt: skip


# PLANS THE DATA NO LONGER SUPPORTS
# ------------------------------------------------------------------------------


def csat_rows(positive: int, n: int = 100) -> list[dict[str, object]]:
    """n October chat contacts with a survey answer, `positive` of them 4 or 5."""
    return [
        {"external_id": f"OCT-{i}", "agent_id": "901", "channel": "chat",
         "interaction_type": "billing", "opened_at": f"2026-10-{1 + i % 28:02d}T10:00:00+00:00",
         "csat": 5 if i < positive else 2}
        for i in range(n)
    ]  # fmt: skip


def test_a_plan_is_withdrawn_after_a_corrected_import(world, contract, buyer_pm):
    """October's export gave CSAT 78 % (remediation): a plan opened when the month closed. A
    corrected export of the same contacts gives 85 % (base): nobody had worked on the plan,
    so the import withdraws it, with a note; the data going back opens a new one."""
    InteractionType.objects.create(account=world.account, code="billing", name="Billing")
    AgentFactory(partner=world.harbor, team=world.harbor_team, external_id="901")
    client = token_client(buyer_pm)

    def send(rows):
        with after_commit():
            response = client.post(BULK, {"partner": world.harbor.pk, "rows": rows}, format="json")
        assert response.status_code == 201, response.json()

    send(csat_rows(78))
    plan = RemediationPlan.objects.get(partner=world.harbor, kpi="csat")
    assert (plan.status, plan.opened_month) == (PlanStatus.OPEN, OCTOBER)
    send(csat_rows(85))
    plan.refresh_from_db()
    assert plan.status == PlanStatus.WITHDRAWN
    assert plan.closed_reason == (
        "Withdrawn. No longer supported by current data: in October 2026, CSAT chat 85.0% "
        "(n=100) is in base (82% to below 88%) (at risk: its interval reaches remediation, "
        "75% to below 82%), which asks for no plan."
    )
    assert world.account.audit_events.filter(action="remediation.withdrawn").exists()
    send(csat_rows(77))
    assert RemediationPlan.objects.filter(partner=world.harbor, status=PlanStatus.OPEN).count() == 1


def test_a_plan_with_work_on_it_is_flagged_for_the_program_manager(
    world, contract, pm, login, buyer_pm
):
    settle(contract, OCTOBER, 1000, 100, 78)
    plan = RemediationPlan.objects.get(partner=world.harbor, kpi="csat")
    services.plan_update(viewer=pm, plan=plan, actions="Coach the night shift on refunds.")
    month_snapshot(world.harbor, "chat", OCTOBER, contacts=1000, csat_n=100, csat_positive=84)
    evaluation.evaluate_contract_month(contract, OCTOBER, TODAY)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.OPEN
    assert plan.unsupported_note.startswith("No longer supported by current data: in October")
    page = login(buyer_pm).get(f"/remediation/{plan.pk}/").content.decode()
    assert "No longer supported by current data</strong> since 5 Nov 2026" in page
    board = login(buyer_pm).get("/remediation/").content.decode()
    assert "A program manager may close it." in board
    services.plan_update(viewer=pm, plan=plan, close_reason="Corrected export: at SLA.")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CLOSED


# A PENDING ADJUSTMENT'S PARTS
# ------------------------------------------------------------------------------


def test_an_adjustment_is_split_into_volume_and_kpi_parts(world, contract, pm, login, buyer_pm):
    """September, approved: 1,000 contacts (4,000.00), CSAT 70 % in penalty: credit 10 % =
    400.00; net 3,600.00. Late data: 1,100 contacts (4,400.00) and CSAT 85 % (base): no
    credit; net 4,400.00. Adjustment +800.00 = +400.00 invoice (volume) + 400.00 credit
    gone."""
    september = settle(contract, SEPTEMBER, 1000, 100, 70)
    services.settlement_approve(viewer=pm, settlement=september, today=TODAY)
    month_snapshot(world.harbor, "chat", SEPTEMBER, contacts=1100, csat_n=100, csat_positive=85)
    evaluation.evaluate_contract_month(contract, SEPTEMBER, TODAY)
    september.refresh_from_db()
    assert september.adjustment == D("800.00")
    page = login(buyer_pm).get(f"/settlements/{september.pk}/").content.decode()
    assert "Chat invoice 4,000.00 USD → 4,400.00 USD (volume)" in page
    assert "CSAT chat: credit 400.00 USD → 0.00 USD" in page
    api = APIClient()
    api.force_login(buyer_pm)
    body = api.get(f"/api/v1/settlements/{september.pk}/").json()
    assert body["adjustment_parts"] == [
        {"text": "Chat invoice 4,000.00 USD → 4,400.00 USD (volume)", "amount": "400.0000"},
        {"text": "CSAT chat: credit 400.00 USD → 0.00 USD", "amount": "400.0000"},
    ]
    assert body["is_current"] is True


def test_the_caps_are_a_part_of_their_own(world, pm):
    """Credits capped at 5 %: 1,000 contacts (4,000.00), CSAT in penalty, credit 400.00
    capped at 200.00. Later: 2,000 contacts (8,000.00), still penalty, credit 800.00 capped
    at 400.00. Adjustment +3,800.00 = +4,000.00 volume − 400.00 more credit + 200.00 cap."""
    contract = make_contract(world.harbor, channels=("chat",), credit_cap_pct=D(5))
    govern_template(make_sla(contract), "chat", "csat")
    september = settle(contract, SEPTEMBER, 1000, 100, 70)
    services.settlement_approve(viewer=pm, settlement=september, today=TODAY)
    month_snapshot(world.harbor, "chat", SEPTEMBER, contacts=2000, csat_n=100, csat_positive=70)
    evaluation.evaluate_contract_month(contract, SEPTEMBER, TODAY)
    september.refresh_from_db()
    from sla.selectors import settlement_detail

    parts = settlement_detail(pm, september.pk).adjustment_parts
    assert [(p.text.split(" (")[0].split(":")[0], p.amount) for p in parts] == [
        ("Chat invoice 4,000.00 USD → 8,000.00 USD", D("4000.00")),
        ("CSAT chat", D("-400.00")),
        ("The caps on the month's credits and bonuses", D("200.00")),
    ]
    assert sum(p.amount for p in parts) == september.adjustment == D("3800.00")


# WHO APPROVED
# ------------------------------------------------------------------------------


def test_an_approval_through_an_api_token_records_the_tokens_name(world, contract, buyer_pm):
    september = settle(contract, SEPTEMBER, 1000, 0, 0)
    response = token_client(buyer_pm).post(f"/api/v1/settlements/{september.pk}/approve/")
    assert response.status_code == 200, response.json()
    september.refresh_from_db()
    assert september.status == SettlementStatus.APPROVED
    assert september.approved_by_label == "API token 'Helpdesk sync'"
