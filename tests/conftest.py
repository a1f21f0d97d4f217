"""The cast every test draws on, and the checks that configured servers answer.

Northwind (the account) works with two partners, Harbor and Quetzal. Its people:
buyer_pm, buyer_reviewer, buyer_exec on the buyer side; partner_lead and partner_viewer at
Harbor; other_partner_lead at Quetzal, the outsider inside the account. Globex is another
account altogether, with its partner Zanzibar and its program manager outsider_pm.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlsplit

import hypothesis
import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from core import clock
from partners.models import Account, Agent, Partner, Role, Team, User
from tests.factories.partners import (
    AccountFactory,
    AgentFactory,
    MembershipFactory,
    PartnerFactory,
    TeamFactory,
    UserFactory,
)

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

# Property tests judge results, never speed: on a slow, shared machine a generous example
# must not fail for taking long (timings belong in `make bench`).
hypothesis.settings.register_profile(
    "keel", deadline=None, suppress_health_check=[hypothesis.HealthCheck.too_slow]
)
hypothesis.settings.load_profile("keel")


def pytest_sessionstart(session: pytest.Session) -> None:
    """A server that is configured must answer: fail the whole run at once, never skip."""
    redis_url = os.environ.get("REDIS_URL")
    if redis_url:
        import redis

        try:
            redis.Redis.from_url(redis_url, socket_connect_timeout=3).ping()
        except Exception as exc:  # noqa: BLE001
            pytest.exit(f"REDIS_URL is set but Redis at {redis_url} does not answer: {exc}", 3)
    database_url = os.environ.get("DATABASE_URL", "")
    if database_url.startswith(("postgres", "pgsql")):
        import psycopg2

        parts = urlsplit(database_url)
        try:
            psycopg2.connect(
                host=parts.hostname,
                port=parts.port or 5432,
                user=parts.username or "postgres",
                password=parts.password or "",
                dbname="postgres",
                connect_timeout=3,
            ).close()
        except Exception as exc:  # noqa: BLE001
            pytest.exit(f"DATABASE_URL is set but PostgreSQL does not answer: {exc}", 3)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Browser tests run last: Playwright keeps an event loop running in the main thread for
    the rest of the session, which Django's ORM takes for an async context."""
    items.sort(key=lambda item: "e2e" in item.keywords)


@pytest.fixture(autouse=True)
def _isolated_cache() -> None:
    """Rate-limit and throttle counters must not leak from one test into the next."""
    if settings.CACHES["default"]["BACKEND"].endswith("LocMemCache"):
        cache.clear()
    else:
        # A shared Redis: never flush it; give each test its own key space instead.
        cache.key_prefix = f"test-{uuid.uuid4().hex}"


@dataclass
class World:
    account: Account
    harbor: Partner
    pacific: Partner
    harbor_team: Team
    pacific_team: Team
    harbor_agent: Agent
    pacific_agent: Agent
    other_account: Account
    zanzibar: Partner
    zanzibar_agent: Agent


@pytest.fixture
def world(db: None) -> World:
    account = AccountFactory(name="Northwind", slug="northwind")
    harbor = PartnerFactory(account=account, name="Harbor Support")
    pacific = PartnerFactory(account=account, name="Quetzal Contact")
    harbor_team = TeamFactory(partner=harbor, name="Harbor Chat")
    pacific_team = TeamFactory(partner=pacific, name="Quetzal Voice", channel="voice")
    other_account = AccountFactory(name="Globex", slug="globex")
    zanzibar = PartnerFactory(account=other_account, name="Zanzibar Outsourcing")
    return World(
        account=account,
        harbor=harbor,
        pacific=pacific,
        harbor_team=harbor_team,
        pacific_team=pacific_team,
        harbor_agent=AgentFactory(partner=harbor, team=harbor_team, name="Hana Harbor"),
        pacific_agent=AgentFactory(partner=pacific, team=pacific_team, name="Pablo Quetzal"),
        other_account=other_account,
        zanzibar=zanzibar,
        zanzibar_agent=AgentFactory(partner=zanzibar, name="Zed Zanzibar"),
    )


def _member(world_account: Account, email: str, role: str, partner: Partner | None = None) -> User:
    user = UserFactory(email=email)
    MembershipFactory(user=user, account=world_account, role=role, partner=partner)
    return user


@pytest.fixture
def buyer_pm(world: World) -> User:
    return _member(world.account, "pm@northwind.test", Role.PROGRAM_MANAGER)


@pytest.fixture
def buyer_reviewer(world: World) -> User:
    return _member(world.account, "reviewer@northwind.test", Role.QA_REVIEWER)


@pytest.fixture
def buyer_exec(world: World) -> User:
    return _member(world.account, "exec@northwind.test", Role.EXECUTIVE)


@pytest.fixture
def partner_lead(world: World) -> User:
    return _member(world.account, "lead@harbor.test", Role.PARTNER_QA_LEAD, world.harbor)


@pytest.fixture
def partner_viewer(world: World) -> User:
    return _member(world.account, "viewer@harbor.test", Role.PARTNER_VIEWER, world.harbor)


@pytest.fixture
def other_partner_lead(world: World) -> User:
    return _member(world.account, "lead@pacific.test", Role.PARTNER_QA_LEAD, world.pacific)


@pytest.fixture
def outsider_pm(world: World) -> User:
    return _member(world.other_account, "pm@globex.test", Role.PROGRAM_MANAGER)


@pytest.fixture
def login():
    """login(user) -> a Django test client signed in as that user."""

    def make(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def api_login():
    """api_login(user) -> a DRF client with that user's session (CSRF not enforced)."""

    def make(user: User) -> APIClient:
        client = APIClient()
        client.force_login(user)
        return client

    return make


# THE DATE
# ------------------------------------------------------------------------------
# The suite passes on any date: tests that depend on "today" either freeze time with
# time-machine (`@pytest.mark.time_machine(...)` or the `time_machine` fixture) or are marked
# `any_date`, which runs them once on each of these days. Each is a day on which date
# arithmetic has broken somewhere: a month's first and last day, a quarter's first day, 29
# February, a Monday and a Sunday, the last day of a year. (The day a calibration session
# falls due is relative to a partner's go-live: the cadence tests set it.)
KEY_DATES = {
    "month-first": date(2027, 3, 1),
    "month-last": date(2026, 9, 30),
    "quarter-first": date(2027, 1, 1),
    "leap-day": date(2028, 2, 29),
    "monday": date(2026, 11, 16),
    "sunday": date(2027, 5, 23),
    "year-end": date(2026, 12, 31),
}
# Mid-morning UTC: far from midnight, so the day is the same from UTC-10 to UTC+13 (tests of
# accounts' time zones use Pacific/Kiritimati, UTC+14, where it is already tomorrow).
KEY_TIME = time(10, 30)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if metafunc.definition.get_closest_marker("any_date"):
        if "frozen_day" not in metafunc.fixturenames:
            metafunc.fixturenames.append("frozen_day")
        metafunc.parametrize("frozen_day", list(KEY_DATES.values()), ids=list(KEY_DATES))


@pytest.fixture(autouse=True)
def _travel_to_the_frozen_day(request: pytest.FixtureRequest):
    """Tests marked `any_date` run with the clock stopped at mid-morning of `frozen_day`
    (before any other fixture makes data)."""
    # The parametrization, not `request.fixturenames`: a test that does not name `frozen_day`
    # itself gets it from `pytest_generate_tests`, which the fixture closure does not list.
    callspec = getattr(request.node, "callspec", None)
    if callspec is None or "frozen_day" not in callspec.params:
        yield
        return
    day = callspec.params["frozen_day"]
    with time_machine.travel(datetime.combine(day, KEY_TIME, tzinfo=UTC), tick=False):
        yield


@pytest.fixture
def today(_travel_to_the_frozen_day):
    return clock.today()


@pytest.fixture
def days_ago(today):
    return lambda n: today - timedelta(days=n)
