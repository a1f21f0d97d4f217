"""The demo programme is realistic and deterministic."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from demo import accounts as demo
from partners.models import Account, Agent, InteractionType, Membership, Partner, Role, User
from partners.scoping import viewer_for_membership
from partners.selectors import partner_rosters

TODAY = date(2026, 11, 23)


@pytest.fixture
def programme(db):
    return demo.build(seed=2026, today=TODAY)


def _roster_fingerprint() -> list[tuple]:
    return list(
        Agent.objects.order_by(
            "partner__account__name", "partner__name", "external_id"
        ).values_list(
            "partner__name", "team__name", "external_id", "name", "hire_date", "leaving_date"
        )
    )


def test_same_seed_gives_the_same_programme(programme):
    first = _roster_fingerprint()
    Membership.objects.all().delete()
    Agent.objects.all().delete()
    Partner.objects.all().delete()
    Account.objects.all().delete()
    demo.build(seed=2026, today=TODAY)
    assert _roster_fingerprint() == first


def test_three_partners_onshore_nearshore_offshore_live_6_to_14_months(programme):
    partners = Partner.objects.filter(account=programme)
    assert sorted(p.delivery_model for p in partners) == ["nearshore", "offshore", "onshore"]
    assert all(6 <= p.months_live(TODAY) <= 14 for p in partners)


def test_about_300_agents_serve_the_buyer_with_realistic_attrition(programme):
    pm = Membership.objects.get(user__email="pm@northwind.example")
    rosters = partner_rosters(viewer=viewer_for_membership(pm), today=TODAY)
    assert 270 <= sum(r.headcount for r in rosters) <= 330
    rates = {r.partner.name: r.attrition.annualised for r in rosters}
    assert sum(Decimal("0.25") <= rate <= Decimal("0.55") for rate in rates.values()) == 2
    worst = max(rates, key=rates.get)
    assert rates[worst] > Decimal("0.60"), rates
    assert worst == "Meridian Contact"


def test_every_channel_is_staffed_with_teams(programme):
    channels = set(
        programme.partners.values_list("teams__channel", flat=True).annotate(n=Count("pk"))
    )
    assert channels == {"voice", "email", "chat", "social"}


def test_interaction_types_carry_the_domain_mix(programme):
    codes = set(InteractionType.objects.filter(account=programme).values_list("code", flat=True))
    assert codes == set(demo.INTERACTION_MIX)
    assert sum(volume for _, volume, _ in demo.INTERACTION_MIX.values()) == 5000


def test_a_demo_user_for_each_role_and_a_qa_lead_per_partner(programme):
    roles = set(Membership.objects.filter(account=programme).values_list("role", flat=True))
    assert roles == set(Role.values)
    leads = Membership.objects.filter(account=programme, role=Role.PARTNER_QA_LEAD)
    assert leads.values("partner").distinct().count() == 3
    user = User.objects.get(email="pm@northwind.example")
    assert user.check_password(demo.DEMO_PASSWORD)


def test_the_lotus_lead_works_for_two_buyers_as_two_separate_partners(programme):
    memberships = Membership.objects.filter(user__email="lead@lotus.example")
    assert {m.account.name for m in memberships} == {"Northwind Retail", "Fabrikam Home"}
    assert len({m.partner_id for m in memberships}) == 2


def test_seed_command_fills_only_an_empty_database(programme):
    # The whole command, seeding an empty database, runs in tests/test_demo_story.py.
    agents = Agent.objects.count()
    call_command("seed_demo", "--if-empty")
    assert Agent.objects.count() == agents
    with pytest.raises(CommandError, match="already has accounts"):
        call_command("seed_demo")
