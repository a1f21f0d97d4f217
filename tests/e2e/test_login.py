"""Every demo user signs in through the real login form and lands on their role's home."""

from __future__ import annotations

import pytest

from core import clock
from demo import accounts as demo

pytestmark = pytest.mark.e2e

HOMES = {
    "pm@northwind.example": "Northwind Retail: programme overview",
    "reviewer@northwind.example": "Quality review for Northwind Retail",
    "exec@northwind.example": "Northwind Retail: partner portfolio",
    "lead@harborline.example": "Harborline Support for Northwind Retail",
    "lead@meridian.example": "Meridian Contact for Northwind Retail",
    # Lotus's lead belongs to two accounts; the first by name is Fabrikam Home.
    "lead@lotus.example": "Lotus CX Services for Fabrikam Home",
    "viewer@harborline.example": "Harborline Support for Northwind Retail",
    "pm@fabrikam.example": "Fabrikam Home: programme overview",
}


@pytest.fixture
def demo_programme(transactional_db):
    demo.build(seed=2026, today=clock.today())


@pytest.mark.parametrize("email", list(HOMES))
def test_demo_user_signs_in_and_lands_on_their_home(
    email, demo_programme, live_server, page, console_errors
):
    page.goto(f"{live_server.url}/")
    # Anonymous: Keel sends the visitor to the login form.
    page.wait_for_url("**/accounts/login/**")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("heading", level=1).inner_text() == HOMES[email]
    assert console_errors == []


def test_lotus_lead_switches_to_the_other_buyer(demo_programme, live_server, page, console_errors):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill("lead@lotus.example")
    page.get_by_label("Password").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")
    page.get_by_label("Switch account").select_option(label="Northwind Retail (Partner QA lead)")
    page.get_by_role("button", name="Switch").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Lotus CX Services for Northwind Retail"
    )
    assert "Harborline" not in page.content()
    assert console_errors == []
