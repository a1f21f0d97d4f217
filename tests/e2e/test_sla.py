"""A program manager sets a KPI's bands and approves a month's settlement in the browser."""

from __future__ import annotations

from datetime import date

import pytest

from core import clock
from demo import accounts as demo
from partners.models import Partner
from sla.evaluation import evaluate_contract_month, month_of
from sla.models import GovernedKpi, Settlement
from tests.factories.sla import govern_template, make_contract, make_sla, month_snapshot

pytestmark = pytest.mark.e2e


@pytest.fixture
def signed_in(transactional_db, live_server, page):
    demo.build(seed=2026, today=clock.today())
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill("pm@northwind.example")
    page.get_by_label("Password").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")
    return page


@pytest.fixture
def contract():
    partner = Partner.objects.get(name="Harborline Support")
    today = clock.today()
    contract = make_contract(partner, start_date=date(today.year - 1, 1, 1))
    sla = make_sla(contract, name="Service quality")
    govern_template(sla, "chat", "csat")
    last_month = month_of(today).previous().start
    month_snapshot(partner, "chat", last_month, contacts=1_000, csat_n=300, csat_positive=210)
    evaluate_contract_month(contract, last_month, today)
    return contract


def test_approve_last_months_settlement(signed_in, live_server, contract, console_errors):
    settlement = Settlement.objects.get(contract=contract)
    page = signed_in
    page.get_by_role("link", name="Settlements").click()
    page.locator(f"a[href='/settlements/{settlement.pk}/']").first.click()
    page.wait_for_url("**/settlements/*/")
    assert "CSAT chat 70.0% (n=300) is in penalty (below 75%)" in page.content()
    page.get_by_role("button", name="Approve").click()
    page.wait_for_url("**/settlements/*/")
    assert "Approved" in page.content()
    settlement.refresh_from_db()
    assert settlement.status == "approved"
    assert console_errors == []


def test_a_band_layout_with_a_gap_is_refused_in_the_editor(
    signed_in, live_server, contract, console_errors
):
    governed = GovernedKpi.objects.get(sla__contract=contract)
    page = signed_in
    page.goto(f"{live_server.url}/kpis/{governed.pk}/edit/")
    rows = page.locator("#band-rows tr").count()
    page.get_by_role("button", name="Add a band").click()
    assert page.locator("#band-rows tr").count() == rows + 1
    page.locator("input[name$='-upper']").first.fill("70")
    page.get_by_role("button", name="Save the bands").click()
    assert (
        "Gap between 'penalty' (below 70%) and 'remediation' (75% to below 82%): values from 70% "
        "to below 75% fall in no band." in page.content()
    )
    assert governed.bands.get(position=0).upper == 75
    assert console_errors == []


def test_a_contract_with_a_two_model_rate_card_in_the_browser(
    signed_in, live_server, console_errors, accessibility_problems
):
    """The program manager writes a contract whose voice is paid by the hour and chat by the
    contact, adding the second line with the button; the contract page shows each line's
    headline and loaded rate; an overlapping second contract is refused, naming the first."""
    page = signed_in
    page.goto(f"{live_server.url}/contracts/new/")
    assert accessibility_problems(page) == []
    page.select_option("select[name=partner]", label="Harborline Support")
    page.fill("input[name=name]", "Harborline 2027")
    page.fill("input[name=start_date]", "2027-01-01")
    page.fill("input[name=end_date]", "2027-12-31")
    page.fill("input[name=currency]", "USD")
    page.fill("input[name=wfm_pct]", "10")
    page.select_option("select[name=rates-0-channel]", "voice")
    page.select_option("select[name=rates-0-pricing_model]", "per_hour")
    page.fill("input[name=rates-0-rate]", "18")
    page.select_option("select[name=rates-1-channel]", "chat")
    page.select_option("select[name=rates-1-pricing_model]", "per_contact")
    page.fill("input[name=rates-1-rate]", "3.20")
    page.get_by_role("button", name="Add a line").click()
    page.select_option("select[name=rates-2-channel]", "chat")
    page.select_option("select[name=rates-2-interaction_type]", label="Complaint / return")
    page.select_option("select[name=rates-2-pricing_model]", "per_contact")
    page.fill("input[name=rates-2-rate]", "6")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/contracts/*/")
    body = page.content()
    for shown in ("18.00 USD/h", "19.80 USD/h", "3.20 USD/contact", "3.52 USD/contact",
                  "Chat · Complaint / return", "6.60 USD/contact"):  # fmt: skip
        assert shown in body, shown
    assert accessibility_problems(page) == []
    page.goto(f"{live_server.url}/contracts/new/")
    page.select_option("select[name=partner]", label="Harborline Support")
    page.fill("input[name=name]", "Harborline chat bridge")
    page.fill("input[name=start_date]", "2027-06-01")
    page.fill("input[name=end_date]", "2027-08-31")
    page.fill("input[name=currency]", "USD")
    page.select_option("select[name=rates-0-channel]", "chat")
    page.select_option("select[name=rates-0-pricing_model]", "per_contact")
    page.fill("input[name=rates-0-rate]", "3")
    page.get_by_role("button", name="Save").click()
    assert "already prices chat in June 2027 to August 2027" in page.content()
    assert console_errors == []
