"""From an empty account to a chosen partner with a scope, a pilot and a gated expansion,
entirely through the pages, as a program manager in the browser."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from core import clock
from engagements import domain
from engagements.models import EngagementStage, ScopeVersion, Selection
from partners.models import Account, Membership, Partner, Role, User
from sla.models import Contract

pytestmark = pytest.mark.e2e

PASSWORD = "a-long-test-password"
UNCHECK = "els => els.forEach(e => e.checked = false)"


@pytest.fixture
def signed_in(transactional_db, live_server, page: Page) -> Page:
    account = Account.objects.create(name="Contoso Outdoor", slug="contoso-outdoor")
    user = User.objects.create_user("pm@contoso.test", PASSWORD, first_name="Pat")
    Membership.objects.create(user=user, account=account, role=Role.PROGRAM_MANAGER)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill("pm@contoso.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")
    page.on("dialog", lambda dialog: dialog.accept())  # "Choose …?" confirmation
    return page


def _candidate(
    page: Page, name: str, lines: list[tuple[str, str, str]], loaded: dict[str, str]
) -> None:
    """A candidate with its quote, one (channel, model, rate) per line; the lines past the
    blank rows the page offers are added with its "Add a line" button."""
    page.get_by_role("link", name="Add a candidate").first.click()
    page.fill("input[name=name]", name)
    page.select_option("select[name=delivery_model]", "nearshore")
    blank = page.locator("select[name$='-channel']").count()
    for n, (channel, model, rate) in enumerate(lines):
        if n >= blank:
            page.get_by_role("button", name="Add a line").click()
        page.select_option(f"select[name=rates-{n}-channel]", channel)
        page.select_option(f"select[name=rates-{n}-pricing_model]", model)
        page.fill(f"input[name=rates-{n}-rate]", rate)
    for field, pct in loaded.items():
        page.fill(f"input[name={field}]", pct)
    page.fill("input[name=attrition_pct]", "28")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r".*/selections/\d+/(#.*)?$"))


def _score(page: Page, candidate: str, score: int) -> None:
    page.locator(f"a[href='/candidates/{candidate}/score/']").first.click()
    for criterion in domain.DEFAULT_CRITERIA:
        page.check(f"input[name=score_{criterion.key}][value='{score}']")
        page.fill(f"textarea[name=evidence_{criterion.key}]", f"Site visit: {score}/5")
    page.get_by_role("button", name="Save my scores").click()
    page.wait_for_url(re.compile(r".*/selections/\d+/(#.*)?$"))


def test_from_an_empty_account_to_a_gated_expansion(
    signed_in, live_server, console_errors, accessibility_problems
):
    page = signed_in
    # A selection, with its scope of work.
    page.get_by_role("link", name="Selection", exact=True).click()
    page.get_by_role("link", name="New selection").click()
    page.fill("input[name=name]", "Support partner 2027")
    page.get_by_role("button", name="Start the selection").click()
    page.wait_for_url(re.compile(r".*/selections/\d+/$"))
    page.get_by_role("link", name="Write the scope of work").click()
    # The empty account has no interaction types: the typical mix's are added on request.
    page.get_by_role("button", name="Add the typical mix's interaction types").click()
    page.get_by_role("link", name="Start from the typical mix").click()
    page.check("input[name=shifts][value=business_hours]")
    # A mix that does not add up is refused, and nothing is saved.
    page.locator("input[name='lines-0-contacts']").fill("2400")
    page.get_by_role("button", name="Save the scope").click()
    expect(page.get_by_text("not the 5,000 forecast: 100 missing")).to_be_visible()
    assert ScopeVersion.objects.count() == 0
    page.locator("input[name='lines-0-contacts']").fill("2500")
    # Product questions come by chat: voice 3,800 contacts a month, chat 1,200.
    page.select_option("select[name='lines-1-channel']", "chat")
    page.get_by_role("button", name="Save the scope").click()
    page.wait_for_url(re.compile(r".*/selections/\d+/$"))
    assert ScopeVersion.objects.get().monthly_volume == 5000

    # Two candidates, each quoting a rate card: the cheaper voice headline carries more
    # overhead; Cebu also prices email and social, which the scope does not need, and Atlas
    # leaves chat out.
    page.get_by_role("link", name="Add a candidate").first.click()
    assert accessibility_problems(page) == []
    page.go_back()
    _candidate(
        page, "Cebu Prime",
        [("voice", "per_hour", "14"), ("chat", "per_contact", "2.10"),
         ("email", "per_contact", "2.60"), ("social", "outcome", "5000")],
        {"wfm_pct": "10", "training_pct": "18"},
    )  # fmt: skip
    _candidate(page, "Atlas Nearshore", [("voice", "per_hour", "16")], {"wfm_pct": "10"})
    selection = Selection.objects.get()
    cebu, atlas = (selection.candidates.get(name=n) for n in ("Cebu Prime", "Atlas Nearshore"))
    assert [r.channel for r in cebu.rates.all()] == ["voice", "email", "chat", "social"]
    _score(page, str(cebu.pk), 2)
    _score(page, str(atlas.pk), 4)
    body = page.content()
    assert "Voice · per agent hour" in body
    assert "17.92 USD/h" in body  # Cebu's loaded rate per hour
    assert "17.60 USD/h" in body  # Atlas's
    assert "+1.8% above the cheapest loaded rate" in body  # Cebu's voice line
    assert "A cheaper headline that costs more loaded than Atlas Nearshore." in body
    assert "(not in the scope)" in body  # Cebu's email and social lines
    # The month: voice 380 hours, chat 1,200 contacts; Atlas has no chat line.
    assert "380 voice agent hours × 14.00 USD = 5,320.00 USD" in body
    assert "1,200 chat contacts × 2.10 USD = 2,520.00 USD" in body
    assert "10,035.20 USD" in body  # Cebu's month loaded: 7,840.00 × 1.28
    assert "incomplete: chat not quoted" in body
    expect(page.locator(".not-quoted")).to_have_count(1)
    assert accessibility_problems(page) == []

    # Choosing Atlas makes it a partner with the scope, and offers its contract from its quote.
    page.get_by_role("button", name="Choose Atlas Nearshore").click()
    page.wait_for_url(re.compile(r".*/partners/\d+/$"))
    partner = Partner.objects.get(name="Atlas Nearshore")
    assert ScopeVersion.objects.get().partner == partner
    page.get_by_role("link", name="write its contract from its quote").click()
    page.wait_for_url(re.compile(rf".*/contracts/new/\?from_candidate={atlas.pk}$"))
    expect(page.locator("select[name=rates-0-channel]")).to_have_value("voice")
    expect(page.locator("select[name=rates-0-pricing_model]")).to_have_value("per_hour")
    expect(page.locator("input[name=rates-0-rate]")).to_have_value("16")
    expect(page.locator("input[name=wfm_pct]")).to_have_value("10.00")
    first_day = clock.today().replace(day=1)
    page.fill("input[name=start_date]", first_day.isoformat())
    page.fill("input[name=end_date]", (first_day + timedelta(days=400)).isoformat())
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r".*/contracts/\d+/$"))
    contract = Contract.objects.get(partner=partner)
    assert contract.start_date == first_day
    assert [(r.channel, r.pricing_model, r.rate) for r in contract.rates.all()] == [
        ("voice", "per_hour", Decimal(16))
    ]

    # A pilot on a tight scope, from today.
    today = clock.today()
    page.goto(f"{live_server.url}/partners/{partner.pk}/engagement/")
    page.get_by_role("link", name="Start the next stage").first.click()
    page.select_option("select[name=kind]", "pilot")
    page.fill("input[name=started_on]", today.isoformat())
    for name in ("channels", "shifts"):
        page.locator(f"input[name={name}]").evaluate_all(
            "els => els.forEach(e => e.checked = false)"
        )
    page.check("input[name=channels][value=voice]")
    page.check("input[name=shifts][value=business_hours]")
    page.locator("input[name=interaction_types]").evaluate_all(UNCHECK)
    page.get_by_label("Order status").check()
    page.fill("input[name=ramp_weeks]", "8")
    page.get_by_role("button", name="Start the stage").click()
    page.wait_for_url("**/engagement/")
    assert EngagementStage.objects.filter(partner=partner, kind="pilot").exists()

    # The expansion is gated: no SLA results nor calibration yet, so the gate is red and the
    # step needs the approver's reason.
    page.get_by_role("link", name="Start the next stage").first.click()
    page.select_option("select[name=kind]", "expansion")
    page.select_option("select[name=expansion]", "interaction_type")
    page.fill("input[name=started_on]", (today + timedelta(weeks=12)).isoformat())
    page.get_by_role("button", name="Start the stage").click()
    expect(page.get_by_text("The gate is red").first).to_be_visible()
    assert not EngagementStage.objects.filter(partner=partner, kind="expansion").exists()
    page.fill("textarea[name=override_reason]", "Board decision: peak season needs the capacity")
    page.get_by_role("button", name="Start the stage").click()
    page.wait_for_url("**/engagement/")
    expect(page.get_by_text("approved despite a red gate", exact=False).first).to_be_visible()
    expansion = EngagementStage.objects.get(partner=partner, kind="expansion")
    assert expansion.approved_despite_red
    assert expansion.approved_by.email == "pm@contoso.test"
    assert console_errors == []
