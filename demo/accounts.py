"""The demo programme: Northwind Retail and its three support partners.

Everything is generated from a seed and a reference day, so the same inputs give the same
programme. Figures follow the domain facts (docs/domain.md): three delivery models, go-live dates
6 to 14 months back, the four channels, the 2500/1200/800/300/200 interaction-type mix, and
a roster whose attrition sits near the industry's 30-50 %/year, higher for one partner.
"""

from __future__ import annotations

import calendar
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import connections, router, transaction
from django.db.models import Model

from calibration.domain import due_dates
from core import clock
from partners.models import (
    Account,
    Agent,
    Channel,
    DeliveryModel,
    InteractionType,
    Membership,
    Partner,
    Role,
    Team,
    User,
)

DEMO_PASSWORD = "keel-demo-2026"
DEMO_ACCOUNT = "Northwind Retail"

# Interaction types and their typical monthly volume per 5,000 contacts (docs/domain.md, "Scope").
INTERACTION_MIX: dict[str, tuple[str, int, bool]] = {
    "order-status": ("Order status", 2500, False),
    "product-question": ("Product question", 1200, False),
    "complaint-return": ("Complaint / return", 800, True),
    "billing": ("Billing", 300, False),
    "escalation": ("Escalation", 200, True),
}


@dataclass(frozen=True)
class TeamPlan:
    name: str
    channel: Channel
    headcount: int


@dataclass(frozen=True)
class PartnerPlan:
    name: str
    code: str
    delivery_model: DeliveryModel
    country: str
    months_live: int
    annual_attrition: float
    teams: tuple[TeamPlan, ...]
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]


PARTNERS = (
    PartnerPlan(
        name="Harborline Support",
        code="HBL",
        delivery_model=DeliveryModel.ONSHORE,
        country="United States",
        months_live=14,
        annual_attrition=0.30,
        teams=(
            TeamPlan("Voice Atlanta", Channel.VOICE, 44),
            TeamPlan("Email Atlanta", Channel.EMAIL, 26),
            TeamPlan("Chat Atlanta", Channel.CHAT, 30),
        ),
        first_names=(
            "James",
            "Mary",
            "Robert",
            "Patricia",
            "Michael",
            "Jennifer",
            "David",
            "Linda",
            "William",
            "Elizabeth",
            "Marcus",
            "Ashley",
            "Tyrone",
            "Kayla",
            "Brandon",
            "Destiny",
            "Kevin",
            "Megan",
            "Andre",
            "Brittany",
        ),
        last_names=(
            "Johnson",
            "Williams",
            "Brown",
            "Jones",
            "Davis",
            "Miller",
            "Wilson",
            "Moore",
            "Taylor",
            "Anderson",
            "Thomas",
            "Jackson",
            "White",
            "Harris",
            "Martin",
            "Thompson",
            "Robinson",
            "Clark",
            "Lewis",
            "Walker",
        ),
    ),
    PartnerPlan(
        name="Meridian Contact",
        code="MRD",
        delivery_model=DeliveryModel.NEARSHORE,
        country="Colombia",
        months_live=12,
        # The partner whose attrition runs well above the norm.
        annual_attrition=0.62,
        teams=(
            TeamPlan("Voz Medellín", Channel.VOICE, 40),
            TeamPlan("Chat Medellín", Channel.CHAT, 34),
            TeamPlan("Social Medellín", Channel.SOCIAL, 18),
            TeamPlan("Email Bogotá", Channel.EMAIL, 24),
        ),
        first_names=(
            "Santiago",
            "Valentina",
            "Sebastián",
            "Camila",
            "Mateo",
            "Isabella",
            "Nicolás",
            "Mariana",
            "Alejandro",
            "Daniela",
            "Samuel",
            "Sofía",
            "Juan",
            "Laura",
            "Andrés",
            "Natalia",
            "Felipe",
            "Gabriela",
            "Diego",
            "Paula",
        ),
        last_names=(
            "García",
            "Rodríguez",
            "Martínez",
            "López",
            "González",
            "Hernández",
            "Pérez",
            "Sánchez",
            "Ramírez",
            "Torres",
            "Flórez",
            "Rivera",
            "Gómez",
            "Díaz",
            "Restrepo",
            "Moreno",
            "Jiménez",
            "Vargas",
            "Castro",
            "Ospina",
        ),
    ),
    PartnerPlan(
        name="Lotus CX Services",
        code="LTS",
        delivery_model=DeliveryModel.OFFSHORE,
        country="Philippines",
        months_live=7,
        annual_attrition=0.42,
        teams=(
            TeamPlan("Email Cebu", Channel.EMAIL, 38),
            TeamPlan("Chat Cebu", Channel.CHAT, 44),
        ),
        first_names=(
            "Jose",
            "Maria",
            "Mark",
            "Angelica",
            "John Paul",
            "Kristine",
            "Jerome",
            "Princess",
            "Carlo",
            "Jasmine",
            "Rommel",
            "Mae",
            "Paolo",
            "Joy",
            "Miguel",
            "Rhea",
            "Christian",
            "Aileen",
            "Ramon",
            "Lovely",
        ),
        last_names=(
            "Santos",
            "Reyes",
            "Cruz",
            "Bautista",
            "Ocampo",
            "Garcia",
            "Mendoza",
            "Torres",
            "Tomas",
            "Andrada",
            "Castillo",
            "Flores",
            "Villanueva",
            "Ramos",
            "Castro",
            "Rivera",
            "Aquino",
            "Navarro",
            "Salazar",
            "Dela Cruz",
        ),
    ),
)

# The same BPO company serving a second buyer is a separate partner in a separate account.
SECOND_ACCOUNT = "Fabrikam Home"
SECOND_PARTNER = PartnerPlan(
    name="Lotus CX Services",
    code="LTF",
    delivery_model=DeliveryModel.OFFSHORE,
    country="Philippines",
    months_live=9,
    annual_attrition=0.40,
    teams=(TeamPlan("Fabrikam Email Cebu", Channel.EMAIL, 16),),
    first_names=PARTNERS[2].first_names,
    last_names=PARTNERS[2].last_names,
)


@dataclass(frozen=True)
class DemoUser:
    email: str
    first_name: str
    last_name: str
    role: Role
    partner_code: str | None = None


USERS = (
    DemoUser("pm@northwind.example", "Priya", "Raman", Role.PROGRAM_MANAGER),
    DemoUser("reviewer@northwind.example", "Tom", "Becker", Role.QA_REVIEWER),
    DemoUser("exec@northwind.example", "Elena", "Fischer", Role.EXECUTIVE),
    DemoUser("lead@harborline.example", "Dana", "Whitfield", Role.PARTNER_QA_LEAD, "HBL"),
    DemoUser("lead@meridian.example", "Carolina", "Vélez", Role.PARTNER_QA_LEAD, "MRD"),
    DemoUser("lead@lotus.example", "Rafael", "Santos", Role.PARTNER_QA_LEAD, "LTS"),
    DemoUser("viewer@harborline.example", "Omar", "Haddad", Role.PARTNER_VIEWER, "HBL"),
)
# Lotus's QA lead also leads quality for Fabrikam's programme: one login, two accounts.
SECOND_ACCOUNT_USERS = (
    DemoUser("pm@fabrikam.example", "Henrik", "Larsen", Role.PROGRAM_MANAGER),
    DemoUser("lead@lotus.example", "Rafael", "Santos", Role.PARTNER_QA_LEAD, "LTF"),
)


# The demo's story holds on any day it is seeded: each partner's calibration cadence has a
# session due in the next two weeks, for the reviewers to score blind (demo.calibration).
SCORING_AHEAD_DAYS = 14


def _months_before(day: date, months: int) -> date:
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    return date(year, month + 1, min(day.day, 28))


def go_live(today: date, months_live: int) -> date:
    """A partner's go-live day, `months_live` calendar months before `today`: the day of that
    month nearest to today's day of the month on which the calibration cadence (counted from
    go-live) has a session due within the next two weeks, today included. The months live
    stay what the plan says; only the day moves, so that whatever day the demo is seeded,
    every partner has a session to score."""
    preferred = _months_before(today, months_live)
    days = calendar.monthrange(preferred.year, preferred.month)[1]
    candidates = sorted(
        (preferred.replace(day=d) for d in range(1, days + 1)),
        key=lambda d: (abs((d - preferred).days), d),
    )
    horizon = today + timedelta(days=SCORING_AHEAD_DAYS)
    for day in candidates:
        if any(d >= today for d in due_dates(day, horizon)):
            return day
    return preferred  # unreachable for the cadences Keel knows: a month covers every day


def insert_rows(model: type[Model], objects: Sequence[Model]) -> int:
    """Insert the demo's bulk rows (tens of thousands of contacts, reports and answers) as
    `bulk_create` would, without its per-row, per-field query compilation, which costs more
    than the rows' generation. Primary keys do not come back. Values of plain types go to
    the driver as they are; others (dates, times, decimals, JSON) through the field's own
    database preparation; `auto_now`/`auto_now_add` fields get the current time."""
    if not objects:
        return 0
    connection = connections[router.db_for_write(model)]
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    stamped = {
        f.attname
        for f in fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    }
    now = clock.now()
    plain = (int, bool, str, float, type(None))

    def row(obj: Model) -> tuple[Any, ...]:
        values: list[Any] = []
        for f in fields:
            value = now if f.attname in stamped else getattr(obj, f.attname)
            values.append(value if type(value) in plain else f.get_db_prep_save(value, connection))
        return tuple(values)

    rows = [row(obj) for obj in objects]
    table = connection.ops.quote_name(str(model._meta.db_table))
    columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # SQLite reuses one prepared statement for every row.
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES {one}", rows)
        else:
            # Other servers: many rows a statement (PostgreSQL takes 65,535 parameters).
            size = max(1, 30_000 // len(fields))
            for start in range(0, len(rows), size):
                chunk = rows[start : start + size]
                cursor.execute(
                    f"INSERT INTO {table} ({columns}) VALUES {', '.join([one] * len(chunk))}",
                    [value for r in chunk for value in r],
                )
    return len(rows)


def moment(today: date) -> datetime:
    """The demo's "now" on `today`: the real moment when `today` is the real day, otherwise
    noon (UTC) of `today`, so that a programme seeded for another day holds nothing after it
    and is the same whenever it is seeded."""
    now = clock.now()
    if clock.local_date(now) == today:
        return now
    return datetime.combine(today, time(12), tzinfo=UTC)


def _roster(
    plan: PartnerPlan, partner: Partner, teams: dict[str, Team], today: date, rng: random.Random
) -> list[Agent]:
    """Hire each team before go-live, then week by week lose agents at the partner's
    attrition rate and backfill to the planned headcount (new hires start after a week or two
    of recruiting)."""
    go_live = partner.go_live_date
    assert go_live is not None
    # Attrition counts leavers over average headcount with backfill, so the weekly hazard is
    # simply the annual rate spread over 52 weeks.
    weekly_leave = plan.annual_attrition / 52
    agents: list[Agent] = []
    serial = 10000 + rng.randrange(1000)

    def hire(team: Team, day: date) -> Agent:
        nonlocal serial
        serial += 1 + rng.randrange(3)
        agent = Agent(
            partner=partner,
            team=team,
            external_id=f"{plan.code}-{serial}",
            name=f"{rng.choice(plan.first_names)} {rng.choice(plan.last_names)}",
            hire_date=day,
        )
        agents.append(agent)
        return agent

    for team_plan in plan.teams:
        team = teams[team_plan.name]
        # Pilot teams start at about 60 % and ramp to full size over the first three months.
        active = [
            hire(team, go_live - timedelta(days=21 + rng.randrange(14)))
            for _ in range(round(team_plan.headcount * 0.6))
        ]
        week = go_live
        while week <= today:
            ramp = min(1.0, 0.6 + 0.4 * (week - go_live).days / 90)
            for agent in list(active):
                if agent.hire_date <= week and rng.random() < weekly_leave:
                    agent.leaving_date = week + timedelta(days=rng.randrange(7))
                    if agent.leaving_date > today:
                        agent.leaving_date = None
                        continue
                    active.remove(agent)
            target = round(team_plan.headcount * ramp)
            while len(active) < target:
                start = week + timedelta(days=7 + rng.randrange(7))
                if start > today:
                    break
                active.append(hire(team, start))
            week += timedelta(days=7)
    return agents


def _users(
    account: Account,
    specs: tuple[DemoUser, ...],
    partners: dict[str, Partner],
    password_hash: str,
) -> None:
    for spec in specs:
        user, created = User.objects.get_or_create(
            email=spec.email,
            defaults={
                "first_name": spec.first_name,
                "last_name": spec.last_name,
                "password": password_hash,
            },
        )
        if created:
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        Membership.objects.create(
            user=user,
            account=account,
            role=spec.role,
            partner=partners[spec.partner_code] if spec.partner_code else None,
        )


def _partner(account: Account, plan: PartnerPlan, today: date, rng: random.Random) -> Partner:
    partner = Partner.objects.create(
        account=account,
        name=plan.name,
        delivery_model=plan.delivery_model,
        country=plan.country,
        go_live_date=go_live(today, plan.months_live),
    )
    teams = {
        t.name: Team.objects.create(partner=partner, name=t.name, channel=t.channel)
        for t in plan.teams
    }
    Agent.objects.bulk_create(_roster(plan, partner, teams, today, rng), batch_size=500)
    return partner


@transaction.atomic
def build(*, seed: int, today: date) -> Account:
    """Create the demo programme. The caller checks that it does not exist yet."""
    rng = random.Random(seed)
    password_hash = make_password(DEMO_PASSWORD)

    account = Account.objects.create(name=DEMO_ACCOUNT, slug="northwind-retail")
    InteractionType.objects.bulk_create(
        InteractionType(account=account, code=code, name=name, is_brand_sensitive=sensitive)
        for code, (name, _volume, sensitive) in INTERACTION_MIX.items()
    )
    partners = {plan.code: _partner(account, plan, today, rng) for plan in PARTNERS}
    _users(account, USERS, partners, password_hash)

    second = Account.objects.create(name=SECOND_ACCOUNT, slug="fabrikam-home")
    InteractionType.objects.bulk_create(
        InteractionType(account=second, code=code, name=name, is_brand_sensitive=sensitive)
        for code, (name, _volume, sensitive) in INTERACTION_MIX.items()
    )
    second_partners = {SECOND_PARTNER.code: _partner(second, SECOND_PARTNER, today, rng)}
    _users(second, SECOND_ACCOUNT_USERS, second_partners, password_hash)
    return account
