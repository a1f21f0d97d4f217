"""A program manager imports a helpdesk export in the browser and reads the scorecards."""

from __future__ import annotations

from pathlib import Path

import pytest

from core import clock
from demo import accounts as demo

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
