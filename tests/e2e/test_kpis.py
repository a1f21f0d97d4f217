"""A program manager imports a helpdesk export in the browser and reads the scorecards."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from core import clock
from demo import accounts as demo
from kpis.periods import Period, PeriodType

pytestmark = pytest.mark.e2e

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture
def signed_in(transactional_db, live_server, page):
    demo.build(seed=2026, today=clock.today())
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill("pm@northwind.example")
    page.get_by_label("Password").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")
    return page


def test_upload_a_zendesk_export_and_read_the_scorecard(signed_in, live_server, console_errors):
    page = signed_in
    page.get_by_role("link", name="Imports").click()
    page.get_by_role("link", name="Import a file").click()
    page.get_by_label("Partner").select_option(label="Harborline Support")
    page.get_by_label("Columns").select_option(label="Zendesk ticket export")
    page.get_by_label("Agents not on the roster").select_option(value="create")
    page.get_by_label("File:", exact=True).set_input_files(str(FIXTURES / "zendesk_tickets.csv"))
    page.get_by_role("button", name="Import").click()
    page.wait_for_url("**/imports/*/")
    assert "Imported" in page.locator("#import-status-label").inner_text()
    assert "8" in page.locator(".stats").inner_text()

    page.goto(f"{live_server.url}/partners/")
    page.get_by_role("link", name="Harborline Support").click()
    page.get_by_role("link", name="Scorecard", exact=True).click()
    page.get_by_label("Containing").fill("2026-11-01")
    page.get_by_role("button", name="Show").click()
    page.wait_for_selector("#spark-chat-csat svg")
    assert page.get_by_role("heading", name="Chat").is_visible()
    assert "75.0 %" in page.locator("section.card", has_text="Chat").inner_text()
    assert console_errors == []


def test_a_rejected_file_lists_its_problems(signed_in, live_server, console_errors, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "external_id,agent_id,channel,interaction_type,opened_at,csat\n"
        "T-1,HBL-1,fax,billing,2026-11-02 10:00,7\n"
    )
    page = signed_in
    page.goto(f"{live_server.url}/imports/new/")
    page.get_by_label("Partner").select_option(label="Harborline Support")
    page.get_by_label("File:", exact=True).set_input_files(str(bad))
    page.get_by_role("button", name="Import").click()
    page.wait_for_url("**/imports/*/")
    text = page.locator("main").inner_text()
    assert "Rejected" in text
    assert "Nothing from this file was written" in text
    assert "'fax' is not a channel" in text
    assert "'7' is outside 1-5" in text
    assert console_errors == []


def _overflows(page, selector: str) -> bool:
    return page.evaluate(
        "(s) => { const el = document.querySelector(s); return el.scrollWidth > el.clientWidth; }",
        selector,
    )


def test_wide_scorecards_fit_a_laptop_and_show_more_columns_on_request(
    signed_in, live_server, console_errors, accessibility_problems
):
    page = signed_in
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{live_server.url}/scorecards/weekly/")
    page.wait_for_selector("table.weekly")
    assert not _overflows(page, ".table-fit")
    nps = page.get_by_role("columnheader", name="NPS")
    assert not nps.is_visible()
    page.get_by_label("Show more columns").check()  # a checkbox: the keyboard reaches it
    assert nps.is_visible()
    assert accessibility_problems(page) == []

    from partners.models import Partner

    partner = Partner.objects.get(name="Harborline Support")
    page.goto(f"{live_server.url}/partners/{partner.pk}/scorecard/agents/?period=month")
    page.wait_for_selector("table.agents")
    assert not _overflows(page, ".table-fit")
    assert not page.get_by_role("columnheader", name="CES").is_visible()
    page.get_by_label("Show more columns").focus()  # the toggle works from the keyboard
    page.keyboard.press("Space")
    assert page.get_by_role("columnheader", name="CES").is_visible()
    assert console_errors == []


def test_one_agents_trend_shows_the_slas_bands(signed_in, live_server, console_errors):
    from kpis.models import KpiSnapshot
    from partners.models import Partner
    from tests.factories.sla import govern_template, make_contract, make_sla

    partner = Partner.objects.get(name="Harborline Support")
    today = clock.today()
    sla = make_sla(make_contract(partner, start_date=date(today.year - 2, 1, 1),
                                 end_date=date(today.year + 1, 12, 31)))  # fmt: skip
    govern_template(sla, "chat", "csat")
    agent = partner.agents.order_by("pk").first()
    months = Period.containing(PeriodType.MONTH, today).previous().last(12)
    for i, month in enumerate(months):
        KpiSnapshot.objects.update_or_create(
            partner=partner, agent=agent, channel="chat", period_type="month",
            period_start=month.start,
            defaults={"contacts": 200, "csat_n": 60, "csat_positive": 45 + i % 10},
        )  # fmt: skip
    page = signed_in
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(
        f"{live_server.url}/agents/{agent.pk}/scorecard/"
        f"?period=month&start={months[-1].start:%Y-%m-%d}"
    )
    chart = "#trend-chat-csat"
    page.wait_for_selector(f"{chart} svg")
    shapes = page.evaluate(f"() => document.querySelector('{chart}').layout.shapes")
    rects = [s for s in shapes if s["type"] == "rect"]
    assert len(rects) >= 3
    assert all(r["yref"] == "y" and r["xref"] == "paper" for r in rects)
    labels = page.evaluate(
        f"() => document.querySelector('{chart}').layout.annotations.map(a => a.text)"
    )
    assert "Base ≥ 82 %" in labels
    # the text alternative: the chart is labelled, and its data sits in a table under it
    assert "SLA bands" in page.locator(chart).get_attribute("aria-label")
    page.locator(chart).locator("xpath=following-sibling::details[1]/summary").click()
    assert page.locator(f"{chart} + details table tbody tr").count() == 12
    assert console_errors == []
