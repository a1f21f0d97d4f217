"""Every role's main pages pass axe (no serious or critical problem) with a clean console:
the landing page, the QBR, the scorecards, settlements, calibration scoring and debrief, and
the remediation board.

The demo is seeded once for the module in each worker that runs one of its tests (seeding
takes more than a minute): pytest-django would flush the database after each live-server
test, so this module keeps the database for its own tests and flushes it once at the end
(`_live_server_helper` below). One test per role keeps the sweep spread over the workers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from calibration.models import CalibrationSession, SessionStatus
from core import clock
from demo import accounts as demo
from kpis.periods import Period, PeriodType
from partners.models import Agent, Partner
from sla.models import Settlement

pytestmark = pytest.mark.e2e

SERIOUS = ("serious", "critical")


@dataclass(frozen=True)
class Demo:
    harborline: Partner
    agent: Agent
    quarter: Period
    settlement: Settlement
    scoring: CalibrationSession
    debrief: CalibrationSession


@pytest.fixture(autouse=True)
def _live_server_helper(live_server) -> Iterator[None]:
    """Replaces pytest-django's helper of the same name, which flushes the database after
    every live-server test: here the module's seeded demo must last until its end."""
    live_server._live_server_modified_settings.enable()
    yield
    live_server._live_server_modified_settings.disable()


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker) -> Iterator[Demo]:
    with django_db_blocker.unblock():
        call_command("seed_demo", stdout=StringIO())
        harborline = Partner.objects.get(name="Harborline Support", account__name=demo.DEMO_ACCOUNT)
        sessions = CalibrationSession.objects.filter(partner=harborline)
        yield Demo(
            harborline=harborline,
            agent=Agent.objects.filter(partner=harborline).order_by("pk").first(),
            quarter=Period.containing(PeriodType.QUARTER, clock.today()).previous(),
            settlement=Settlement.objects.filter(partner=harborline).order_by("-month").first(),
            scoring=sessions.filter(status=SessionStatus.SCORING).get(),
            debrief=sessions.filter(status=SessionStatus.REVEALED).order_by("-due_date").first(),
        )
        call_command("flush", interactive=False, verbosity=0)


def _quarter(d: Demo) -> dict[str, int]:
    return {"year": d.quarter.start.year, "quarter": (d.quarter.start.month - 1) // 3 + 1}


PAGES: dict[str, Callable[[Demo], str]] = {
    "home": lambda d: reverse("home:home"),
    "qbr-list": lambda d: reverse("home:qbr-list"),
    "qbr-quarter": lambda d: reverse("home:qbr-quarter", kwargs=_quarter(d)),
    "qbr-partner": lambda d: reverse(
        "home:qbr-partner", kwargs={**_quarter(d), "partner": d.harborline.pk}
    ),
    "scorecard-weekly": lambda d: reverse("kpis:weekly"),
    "scorecard-channels": lambda d: reverse("kpis:scorecard-channels", args=[d.harborline.pk]),
    "scorecard-agents": lambda d: reverse("kpis:scorecard-agents", args=[d.harborline.pk]),
    "scorecard-agent": lambda d: reverse("kpis:agent-scorecard", args=[d.agent.pk]),
    "settlements": lambda d: reverse("sla:settlement-list"),
    "settlement": lambda d: reverse("sla:settlement-detail", args=[d.settlement.pk]),
    "scoring": lambda d: reverse("calibration:scoring", args=[d.scoring.pk]),
    "debrief": lambda d: reverse("calibration:session-detail", args=[d.debrief.pk]),
    "remediation": lambda d: reverse("sla:remediation-board"),
}
EVERYONE = [name for name in PAGES if not name.startswith("qbr")]
ROLES = {
    "pm@northwind.example": list(PAGES),
    "exec@northwind.example": list(PAGES),
    "reviewer@northwind.example": EVERYONE,
    "lead@harborline.example": EVERYONE,
}


def _rendered(page, selector: str) -> bool:
    """Whether Plotly drew the chart in `selector` (its SVG is in the page)."""
    return page.locator(f"{selector} .main-svg").count() > 0


# What each role's landing page must answer at a glance, on the seeded demo.
HOME_CHECKS: dict[str, Callable[..., None]] = {
    "pm@northwind.example": lambda page: (
        _contains(page, "section.standing-grid", "Meridian Contact", "Since last month", "Week:"),
        _contains(page, "section.early-warnings", "Meridian Contact", "at stake"),
        _contains(page, "section.attention", "Needs you this week"),
    ),
    "exec@northwind.example": lambda page: _contains(
        page, "table.portfolio", "Harborline Support", "Meridian Contact", "Lotus CX Services"
    ),
    "reviewer@northwind.example": lambda page: (
        _contains(page, "main", "Your alignment", "Your agreement and bias, session by session"),
        _assert(_rendered(page, "#reviewer-trend"), "the reviewer's trend chart is drawn"),
    ),
    "lead@harborline.example": lambda page: _contains(
        page, "section.partner-work", "Remediation plans of Harborline Support"
    ),
}


def _contains(page, selector: str, *texts: str) -> None:
    """Each text is shown in `selector` (compared without case: CSS may upper-case it)."""
    shown = page.locator(selector).first.inner_text().lower()
    for text in texts:
        assert text.lower() in shown, (selector, text)


def _assert(condition: bool, what: str) -> None:
    assert condition, what


@pytest.mark.parametrize("email", list(ROLES))
def test_each_roles_pages_pass_axe_with_a_clean_console(
    email, seeded, live_server, page, console_errors, accessibility_problems
):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")
    found: dict[str, list[str]] = {}
    for name in ROLES[email]:
        console_errors.clear()
        response = page.goto(live_server.url + PAGES[name](seeded))
        assert response is not None
        assert response.status == 200, (name, response.status)
        if name == "home":
            HOME_CHECKS[email](page)
        problems = accessibility_problems(page, impacts=SERIOUS)
        problems += [f"console: {error}" for error in console_errors]
        if problems:
            found[name] = problems
    assert not found, "\n".join(f"{name}: {p}" for name, ps in found.items() for p in ps)
