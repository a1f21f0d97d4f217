"""An executive reads the last complete quarter's business review in the browser, and
prints it: no navigation on paper, each partner under a title line of its own."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from pypdf import PdfReader

from core import clock
from demo import accounts as demo
from kpis.periods import Period, PeriodType
from partners.models import Partner
from sla.evaluation import evaluate_contract_month
from tests.factories.sla import govern_template, make_contract, make_sla, month_snapshot

pytestmark = pytest.mark.e2e


@pytest.fixture
def quarter_settled(transactional_db):
    """Harborline's chat CSAT at 70.0 % in the first month of the last complete quarter:
    a penalty, 10 % of 1,000 contacts × 4.00 USD."""
    today = clock.today()
    demo.build(seed=2026, today=today)
    quarter = Period.containing(PeriodType.QUARTER, today).previous()
    partner = Partner.objects.get(name="Harborline Support")
    contract = make_contract(partner, start_date=date(quarter.start.year - 1, 1, 1),
                             end_date=date(quarter.start.year + 2, 12, 31))  # fmt: skip
    sla = make_sla(contract, name="Service quality")
    govern_template(sla, "chat", "csat")
    month_snapshot(partner, "chat", quarter.start, contacts=1_000, csat_n=300, csat_positive=210)
    evaluate_contract_month(contract, quarter.start, today)
    return quarter


def test_an_executive_reads_and_prints_the_last_quarters_review(
    live_server, page, quarter_settled, console_errors, accessibility_problems
):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill("exec@northwind.example")
    page.get_by_label("Password").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")
    # The portfolio: each partner's quarter so far, with a link to the last QBR.
    assert "so far" in page.locator("table.portfolio").locator("xpath=..").inner_text()
    assert "harborline support" in page.locator("table.portfolio").inner_text().lower()
    assert accessibility_problems(page) == []
    page.get_by_role("link", name="QBR", exact=True).click()
    page.wait_for_url("**/qbr/")
    assert accessibility_problems(page) == []
    number = (quarter_settled.start.month - 1) // 3 + 1
    page.get_by_role(
        "link", name=f"Q{number} {quarter_settled.start.year}, the last complete quarter"
    ).click()
    page.wait_for_url(f"**/qbr/{quarter_settled.start.year}-Q{number}/")

    harborline = page.locator("section.qbr-partner", has_text="Harborline Support")
    kpis = harborline.locator("table.qbr-kpis")
    assert "70.0%" in kpis.inner_text()
    assert "penalty" in kpis.inner_text()
    assert "n=300" in kpis.inner_text()
    money = harborline.locator("table.qbr-money").inner_text()
    assert "4,000.00 USD" in money  # 1,000 × 4.00 invoiced
    assert "400.00 USD" in money  # the 10 % credit
    assert "3,600.00 USD" in money  # net to pay
    assert accessibility_problems(page) == []

    # Every table downloads as CSV: the money table opens in Python's csv module.
    with page.expect_download() as download:
        harborline.get_by_role("link", name="CSV of Harborline Support's settlements").click()
    with open(download.value.path(), newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[0][:4] == ["partner", "month", "contract", "currency"]
    assert rows[1][4:6] == ["4000.00", "400.00"]

    page.emulate_media(media="print")
    assert not page.locator("header.topbar").is_visible()
    assert not page.get_by_role("button", name="Print or save as PDF").is_visible()
    title = harborline.locator(".print-only")
    assert title.is_visible()
    assert f"Harborline Support · Q{number} {quarter_settled.start.year}" in title.inner_text()
    # Printed to PDF: the first page carries the review's title and no navigation.
    first = PdfReader(io.BytesIO(page.pdf(format="A4"))).pages[0].extract_text()
    assert f"Quarterly business review: Q{number} {quarter_settled.start.year}" in first
    assert "Northwind Retail" in first
    for link in ("Scorecards", "Settlements", "Skip to content", "Print or save as PDF"):
        assert link not in first
    assert console_errors == []


def test_a_program_manager_records_the_reviews_actions(
    live_server, page, quarter_settled, console_errors, accessibility_problems
):
    number = (quarter_settled.start.month - 1) // 3 + 1
    partner = Partner.objects.get(name="Harborline Support")
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill("pm@northwind.example")
    page.get_by_label("Password").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")
    assert "harborline support" in page.locator("section.standing-grid").inner_text().lower()
    assert accessibility_problems(page) == []
    page.goto(f"{live_server.url}/qbr/{quarter_settled.start.year}-Q{number}/{partner.pk}/")
    page.get_by_role("button", name="Open the review").click()
    page.get_by_label("Action").fill("Coach the floor on refunds")
    page.get_by_label("Owned by the").select_option("partner")
    page.get_by_label("Owner").select_option(label="Dana Whitfield (QA lead at Harborline Support)")
    page.get_by_label("Due").fill(f"{quarter_settled.start.year + 1}-01-31")
    page.get_by_role("button", name="Add the action").click()
    items = page.locator("table.qbr-items")
    assert "Coach the floor on refunds" in items.inner_text()
    assert "Dana Whitfield (partner)" in items.inner_text()
    assert accessibility_problems(page) == []
    page.get_by_label("Status of “Coach the floor on refunds”").select_option("done")
    page.get_by_label("Outcome of “Coach the floor on refunds”").fill("40 agents coached")
    page.get_by_role("button", name="Save “Coach the floor on refunds”").click()
    assert "Done: 40 agents coached" in page.locator("table.qbr-items").inner_text()
    assert console_errors == []


def test_a_partner_lead_reads_what_is_due_at_home(
    live_server, page, quarter_settled, console_errors, accessibility_problems
):
    """The penalty month opened a remediation plan for Harborline: its lead sees it at home."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill("lead@harborline.example")
    page.get_by_label("Password").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")
    due = page.locator("section.partner-work")
    assert "Remediation plans of Harborline Support" in due.inner_text()
    assert "csat chat: remediation plan" in due.inner_text().lower()
    assert accessibility_problems(page) == []
    assert console_errors == []
