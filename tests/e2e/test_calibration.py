"""A partner QA lead scores a calibration session in the browser: saved as they go, with the
keyboard, and blind."""

from __future__ import annotations

import pytest

from calibration.models import Score
from core import clock
from demo import accounts as demo
from partners.models import Partner, User
from tests.factories.calibration import make_rubric, make_session

pytestmark = pytest.mark.e2e


@pytest.fixture
def session(transactional_db):
    demo.build(seed=2026, today=clock.today())
    pm = User.objects.get(email="pm@northwind.example")
    reviewer = User.objects.get(email="reviewer@northwind.example")
    lead = User.objects.get(email="lead@harborline.example")
    partner = Partner.objects.get(name="Harborline Support")
    return make_session(pm, partner, make_rubric(pm), [(reviewer, "buyer"), (lead, "partner")])


def sign_in(page, live_server, email):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")


def test_scores_save_as_you_go_and_stay_blind(session, live_server, page, console_errors):
    sign_in(page, live_server, "lead@harborline.example")
    page.goto(f"{live_server.url}/calibration/sessions/{session.pk}/score/")
    criteria = page.locator("fieldset.criterion")
    # Clicking saves at once, without a submit.
    criteria.nth(0).get_by_label("Yes").check()
    page.wait_for_function(
        "document.querySelector('[data-progress]').textContent.startsWith('1 of')"
    )
    # The keyboard: focus a choice of the next criterion and press 4.
    criteria.nth(1).locator("input").first.focus()
    page.keyboard.press("4")
    page.wait_for_function(
        "document.querySelector('[data-progress]').textContent.startsWith('2 of')"
    )
    assert Score.objects.filter(reviewer__user__email="lead@harborline.example").count() == 2
    # Reloaded, the answers are still there; nobody else's are shown.
    page.reload()
    assert criteria.nth(1).locator("input[value='4']").is_checked()
    assert console_errors == []
