"""Each role lands on a home that fits it; rosters list, filter and stay cheap to render."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partners.models import Partner
from tests.factories.partners import AgentFactory, TeamFactory


@pytest.mark.parametrize(
    ("persona", "heading"),
    [
        ("buyer_pm", b"Northwind: programme overview"),
        ("buyer_reviewer", b"Quality review for Northwind"),
        ("buyer_exec", b"Northwind: partner portfolio"),
        ("partner_lead", b"Harbor Support for Northwind"),
        ("partner_viewer", b"Harbor Support for Northwind"),
    ],
)
def test_each_role_lands_on_its_own_home(persona, heading, request, login):
    response = login(request.getfixturevalue(persona)).get(reverse("home:home"))
    assert response.status_code == 200
    assert heading in response.content


def test_program_manager_home_shows_people_and_recent_activity(login, buyer_pm, partner_lead):
    content = login(buyer_pm).get(reverse("home:home")).content.decode()
    assert "Partner QA lead" in content
    assert "Pending invitations" in content
    assert "Add a partner" in content


def test_partner_home_shows_its_teams_and_roster_changes(login, partner_lead, world, days_ago):
    AgentFactory(
        partner=world.harbor, team=world.harbor_team, name="New Nia", hire_date=days_ago(5)
    )
    AgentFactory(
        partner=world.harbor,
        team=world.harbor_team,
        name="Gone Gus",
        hire_date=days_ago(400),
        leaving_date=days_ago(3),
    )
    content = login(partner_lead).get(reverse("home:home")).content.decode()
    assert "Harbor Chat" in content
    assert "New Nia" in content
    assert "Gone Gus" in content


def test_roster_attrition_is_computed_over_the_trailing_year(login, buyer_pm, world, days_ago):
    # given: Quetzal went live long ago; over the last year 10 agents stayed throughout,
    # 2 left and 2 joined (headcount 12 a year ago, 12 today).
    Partner.objects.filter(pk=world.pacific.pk).update(go_live_date=days_ago(800))
    world.pacific_agent.delete()
    team = world.pacific_team
    for _ in range(10):
        AgentFactory(partner=world.pacific, team=team, hire_date=days_ago(700))
    for _ in range(2):
        AgentFactory(
            partner=world.pacific, team=team, hire_date=days_ago(700), leaving_date=days_ago(100)
        )
    for _ in range(2):
        AgentFactory(partner=world.pacific, team=team, hire_date=days_ago(90))
    from partners.models import Membership
    from partners.scoping import viewer_for_membership
    from partners.selectors import partner_rosters

    viewer = viewer_for_membership(Membership.objects.get(user=buyer_pm))
    # when
    (roster,) = partner_rosters(viewer=viewer, today=days_ago(0), partner=world.pacific)
    # then: 2 leavers / average headcount 12 = 16.7 % a year
    assert roster.headcount == 12
    assert roster.hires == 2
    assert roster.attrition.leavers == 2
    assert str(round(roster.attrition.annualised * 100, 1)) == "16.7"


def test_attrition_window_starts_at_go_live_for_a_young_partner(buyer_pm, world, days_ago):
    from partners.models import Membership
    from partners.scoping import viewer_for_membership
    from partners.selectors import partner_rosters

    Partner.objects.filter(pk=world.pacific.pk).update(go_live_date=days_ago(73))
    viewer = viewer_for_membership(Membership.objects.get(user=buyer_pm))
    (roster,) = partner_rosters(viewer=viewer, today=days_ago(0), partner=world.pacific)
    assert roster.window_start == days_ago(73)
    assert roster.attrition.period_days == 73


def test_agent_list_filters_by_team_channel_status_and_search(login, buyer_pm, world, days_ago):
    voice = TeamFactory(partner=world.harbor, name="Harbor Voice", channel="voice")
    AgentFactory(partner=world.harbor, team=voice, name="Vera Voice", external_id="HV-1")
    AgentFactory(
        partner=world.harbor,
        team=world.harbor_team,
        name="Lena Left",
        hire_date=days_ago(300),
        leaving_date=days_ago(10),
    )
    client = login(buyer_pm)
    url = reverse("partners:agent-list", args=[world.harbor.pk])

    def names(**params) -> str:
        return client.get(url, params).content.decode()

    voice_agents = names(channel="voice")
    assert "Vera Voice" in voice_agents
    assert "Hana Harbor" not in voice_agents
    leavers = names(status="left")
    assert "Lena Left" in leavers
    assert "Hana Harbor" not in leavers
    assert "Lena Left" not in names(status="active")
    found = names(q="hv-1")
    assert "Vera Voice" in found
    assert "Lena Left" not in found
    team = names(team=voice.pk)
    assert "Vera Voice" in team
    assert "Hana Harbor" not in team
    # a team of another partner is not a valid filter
    assert "Select a valid choice" in names(team=world.pacific_team.pk)


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    ("persona", "url_name", "args"),
    [
        ("buyer_pm", "home:home", []),
        ("buyer_reviewer", "home:home", []),
        ("buyer_exec", "home:home", []),
        ("partner_lead", "home:home", []),
        ("buyer_pm", "partners:partner-list", []),
        ("buyer_pm", "home:partner-detail", ["harbor"]),
        ("buyer_pm", "partners:agent-list", ["harbor"]),
    ],
)
def test_page_query_count_stays_constant_from_10_to_500_agents(
    persona, url_name, args, request, login, world, days_ago
):
    client = login(request.getfixturevalue(persona))
    url = reverse(url_name, args=[getattr(world, a).pk for a in args])

    def grow_to(n: int) -> None:
        teams = [world.harbor_team, TeamFactory(partner=world.harbor, channel="email")]
        have = world.harbor.agents.count()
        AgentFactory.create_batch(
            n - have,
            partner=world.harbor,
            team=teams[0] if n % 2 else teams[1],
            hire_date=days_ago(200),
            leaving_date=None,
        )
        for i, agent in enumerate(world.harbor.agents.order_by("pk")[: n // 3]):
            agent.leaving_date = days_ago(1 + i % 60)
            agent.save()

    grow_to(10)
    with_10 = _queries(client, url)
    grow_to(500)
    assert _queries(client, url) == with_10


def test_agent_list_is_paginated(login, buyer_pm, world):
    AgentFactory.create_batch(60, partner=world.harbor, team=world.harbor_team)
    content = login(buyer_pm).get(reverse("partners:agent-list", args=[world.harbor.pk])).content
    assert b"Page 1 of 2" in content


def test_agent_page_shows_status_and_tenure(login, partner_lead, world, days_ago):
    agent = AgentFactory(
        partner=world.harbor, team=world.harbor_team, name="Tess Tenure", hire_date=days_ago(400)
    )
    content = login(partner_lead).get(reverse("partners:agent-detail", args=[agent.pk])).content
    assert b"Tess Tenure" in content
    assert b"1 y 1 m" in content
    assert b"Active" in content


def test_program_manager_adds_and_edits_a_partner(login, buyer_pm, world):
    client = login(buyer_pm)
    response = client.post(
        reverse("partners:partner-create"),
        {"name": "Atlas BPO", "delivery_model": "offshore", "country": "India", "go_live_date": ""},
    )
    partner = Partner.objects.get(name="Atlas BPO")
    assert partner.account == world.account
    assert response.url == reverse("home:partner-detail", args=[partner.pk])
    client.post(
        reverse("partners:partner-update", args=[partner.pk]),
        {
            "name": "Atlas BPO",
            "delivery_model": "offshore",
            "country": "India",
            "go_live_date": "2026-01-05",
        },
    )
    partner.refresh_from_db()
    assert str(partner.go_live_date) == "2026-01-05"
    edit_page = client.get(reverse("partners:partner-update", args=[partner.pk])).content
    assert b"Edit Atlas BPO" in edit_page


def test_partner_name_must_be_unique_in_the_account(login, buyer_pm, world):
    response = login(buyer_pm).post(
        reverse("partners:partner-create"),
        {"name": "harbor support", "delivery_model": "onshore"},
    )
    assert b"already has a partner called harbor support" in response.content
    assert Partner.objects.filter(account=world.account).count() == 2


def test_same_vendor_name_may_serve_another_account(login, outsider_pm, world):
    login(outsider_pm).post(
        reverse("partners:partner-create"), {"name": "Harbor Support", "delivery_model": "onshore"}
    )
    assert Partner.objects.filter(name="Harbor Support").count() == 2


def test_bad_partner_input_names_the_field(login, buyer_pm):
    response = login(buyer_pm).post(
        reverse("partners:partner-create"),
        {"name": "", "delivery_model": "moon", "go_live_date": "31/31/2026"},
    )
    content = response.content.decode()
    assert "This field is required" in content
    assert "Select a valid choice. moon is not one of the available choices" in content
    assert "Enter a valid date" in content


def test_roster_for_partner_with_no_go_live_and_no_agents_renders(login, buyer_pm, world):
    Partner.objects.create(account=world.account, name="Empty Co", delivery_model="onshore")
    content = login(buyer_pm).get(reverse("partners:partner-list")).content
    assert b"Empty Co" in content
    assert b"not live" in content


def test_future_dated_hire_is_not_yet_counted(login, buyer_pm, world, today):
    AgentFactory(partner=world.harbor, team=world.harbor_team, hire_date=today + timedelta(days=10))
    from partners.models import Membership
    from partners.scoping import viewer_for_membership
    from partners.selectors import partner_rosters

    viewer = viewer_for_membership(Membership.objects.get(user=buyer_pm))
    (roster,) = partner_rosters(viewer=viewer, today=today, partner=world.harbor)
    assert roster.headcount == 1
