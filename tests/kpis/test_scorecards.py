"""Scorecards: per channel, per agent, weekly; as pages and as JSON; with constant queries."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kpis.domain import Kpi
from kpis.models import KpiSnapshot
from kpis.periods import Period, PeriodType
from kpis.selectors import agent_scorecard, channel_scorecard, latest_period, weekly_scorecard
from partners.models import Membership
from partners.scoping import viewer_for_membership
from tests.factories.partners import AgentFactory, TeamFactory

MONTH = Period(PeriodType.MONTH, date(2026, 10, 1))


def viewer_of(user):
    return viewer_for_membership(Membership.objects.get(user=user))


def snap(partner, period: Period, agent=None, channel="chat", **counts):
    return KpiSnapshot.objects.create(
        partner=partner,
        channel=channel,
        agent=agent,
        period_type=period.type.value,
        period_start=period.start,
        **counts,
    )


def csat(n: int, positive: int) -> dict[str, int]:
    return {"contacts": n * 4, "csat_n": n, "csat_positive": positive}


@pytest.fixture
def harbor_history(world):
    """Harbor chat over 12 months: CSAT 90 % in September, 80 % in October."""
    for period in MONTH.last(12)[:-2]:
        snap(world.harbor, period, **csat(100, 88))
    snap(world.harbor, MONTH.previous(), **csat(100, 90))
    snap(world.harbor, MONTH, **csat(200, 160), headcount_start=20, headcount_end=18, leavers=2)


def test_channel_scorecard_has_value_sample_interval_change_and_trend(
    buyer_pm, world, harbor_history
):
    (card,) = channel_scorecard(viewer=viewer_of(buyer_pm), partner=world.harbor, period=MONTH)
    cell = next(c for c in card.cells if c.kpi is Kpi.CSAT)
    assert float(cell.value.value) == pytest.approx(0.8)
    assert cell.value.sample == 200
    assert cell.value.low < cell.value.value < cell.value.high
    assert float(cell.delta) == pytest.approx(-0.1)
    assert cell.improved is False
    assert len(cell.trend) == 12
    assert cell.breaches  # 80 % is below the 85 % threshold
    attrition = next(c for c in card.cells if c.kpi is Kpi.ATTRITION)
    # 2 leavers / 19 average headcount * 365 / 31 days
    assert float(attrition.value.value) == pytest.approx(2 / 19 * 365 / 31)


def test_channel_scorecard_page(login, buyer_pm, world, harbor_history):
    url = reverse("kpis:scorecard-channels", args=[world.harbor.pk])
    content = login(buyer_pm).get(url, {"period": "month", "start": "2026-10-15"}).content.decode()
    assert "October 2026" in content
    assert "80.0 %" in content
    assert "−10.0 pp" in content
    assert 'data-plotly="spark-chat-csat"' in content
    assert "/static/vendor/plotly.min.js" in content


def test_channel_scorecard_defaults_to_the_newest_period_with_data(
    login, buyer_pm, world, harbor_history
):
    content = (
        login(buyer_pm).get(reverse("kpis:scorecard-channels", args=[world.harbor.pk])).content
    )
    assert b"October 2026" in content


@pytest.mark.parametrize(
    ("today", "period_type", "newest", "expected"),
    [
        # the month's first day: last month, complete, not one day of this month
        (date(2026, 11, 1), PeriodType.MONTH, date(2026, 11, 1), date(2026, 10, 1)),
        # the 3rd: still last month, though this month has data
        (date(2026, 11, 3), PeriodType.MONTH, date(2026, 11, 1), date(2026, 10, 1)),
        # the newest data is older than last month: the newest period with data
        (date(2026, 11, 3), PeriodType.MONTH, date(2026, 8, 1), date(2026, 8, 1)),
        # a Wednesday: last week (Monday to Sunday)
        (date(2026, 11, 18), PeriodType.WEEK, date(2026, 11, 16), date(2026, 11, 9)),
        # a quarter's first day: last quarter
        (date(2027, 1, 1), PeriodType.QUARTER, date(2027, 1, 1), date(2026, 10, 1)),
        # no data at all: the last complete period
        (date(2026, 11, 3), PeriodType.MONTH, None, date(2026, 10, 1)),
    ],
)
def test_scorecards_default_to_the_last_complete_period(
    buyer_pm, world, time_machine, today, period_type, newest, expected
):
    time_machine.move_to(datetime.combine(today, time(10, 30), tzinfo=UTC), tick=False)
    if newest is not None:
        snap(world.harbor, Period(period_type, newest), **csat(10, 9))
    period = latest_period(
        viewer=viewer_of(buyer_pm), period_type=period_type, partner=world.harbor
    )
    assert period == Period(period_type, expected)


@pytest.mark.parametrize("url_name", ["kpis:scorecard-channels", "kpis:scorecard-agents"])
def test_scorecard_pages_open_on_last_month_on_the_first_of_the_month(
    login, buyer_pm, world, time_machine, url_name
):
    time_machine.move_to(datetime(2026, 11, 1, 10, 30, tzinfo=UTC), tick=False)
    snap(world.harbor, Period(PeriodType.MONTH, date(2026, 11, 1)), **csat(10, 9))
    snap(world.harbor, MONTH, **csat(10, 9))
    content = login(buyer_pm).get(reverse(url_name, args=[world.harbor.pk])).content.decode()
    assert "October 2026" in content
    assert "November 2026" not in content


def test_one_agents_page_opens_on_last_month(login, buyer_pm, world, time_machine):
    time_machine.move_to(datetime(2026, 11, 2, 10, 30, tzinfo=UTC), tick=False)
    agent = AgentFactory(partner=world.harbor, team=world.harbor_team)
    snap(world.harbor, Period(PeriodType.MONTH, date(2026, 11, 1)), agent=agent, **csat(10, 9))
    content = login(buyer_pm).get(reverse("kpis:agent-scorecard", args=[agent.pk])).content
    assert b"the 12 months to October 2026" in content


def test_thin_samples_are_marked_not_judged(buyer_pm, world):
    snap(world.harbor, MONTH, **csat(3, 1))
    (card,) = channel_scorecard(viewer=viewer_of(buyer_pm), partner=world.harbor, period=MONTH)
    cell = next(c for c in card.cells if c.kpi is Kpi.CSAT)
    assert not cell.enough_data
    assert not cell.breaches


@pytest.fixture
def team_of_twelve(world):
    """Twelve Harbor agents with October CSAT 70 %..92 % on 40 answers; one with 5 answers."""
    agents = []
    for i in range(12):
        agent = AgentFactory(
            partner=world.harbor,
            team=world.harbor_team,
            name=f"Agent {i:02d}",
            hire_date=date(2026, 10, 1) - timedelta(days=30 if i == 0 else 400),
        )
        snap(world.harbor, MONTH, agent=agent, **csat(40, 28 + i))
        agents.append(agent)
    thin = AgentFactory(partner=world.harbor, team=world.harbor_team, name="Thin Sample")
    snap(world.harbor, MONTH, agent=thin, **csat(5, 1))
    return agents


def test_agent_scorecard_flags_the_bottom_decile_and_threshold_breaches(
    buyer_pm, world, team_of_twelve
):
    card = agent_scorecard(viewer=viewer_of(buyer_pm), partner=world.harbor, period=MONTH)
    rows = {row.agent.name: row for row in card.rows}
    assert "decile" in rows["Agent 00"].flags[Kpi.CSAT]  # 28/40 = 70 %, the worst
    assert "decile" not in rows["Agent 05"].flags[Kpi.CSAT]
    assert "threshold" in rows["Agent 05"].flags[Kpi.CSAT]  # 33/40 = 82.5 % < 85 %
    assert not rows["Agent 11"].flags[Kpi.CSAT]  # 39/40
    assert not rows["Thin Sample"].flags[Kpi.CSAT]  # 20 % but only 5 answers
    # The world's own Harbor agent has no data that month but is employed: an empty row.
    assert rows["Hana Harbor"].counts.contacts == 0


def test_agent_scorecard_sorts_and_filters(buyer_pm, world, team_of_twelve):
    viewer = viewer_of(buyer_pm)
    card = agent_scorecard(
        viewer=viewer, partner=world.harbor, period=MONTH, sort="csat", descending=True
    )
    assert card.rows[0].agent.name == "Agent 11"
    assert card.rows[-1].agent.name == "Hana Harbor"  # no value sorts last
    new = agent_scorecard(viewer=viewer, partner=world.harbor, period=MONTH, tenure="new")
    assert {r.agent.name for r in new.rows} >= {"Agent 00"}
    assert "Agent 05" not in {r.agent.name for r in new.rows}
    other_team = TeamFactory(partner=world.harbor, channel="voice")
    AgentFactory(partner=world.harbor, team=other_team, name="Voice Only")
    voice = agent_scorecard(viewer=viewer, partner=world.harbor, period=MONTH, channel="voice")
    assert [r.agent.name for r in voice.rows] == ["Voice Only"]
    by_team = agent_scorecard(
        viewer=viewer, partner=world.harbor, period=MONTH, team_id=other_team.pk
    )
    assert [r.agent.name for r in by_team.rows] == ["Voice Only"]


def test_agents_who_left_before_the_period_are_not_listed(buyer_pm, world):
    AgentFactory(
        partner=world.harbor,
        name="Long Gone",
        hire_date=date(2025, 1, 1),
        leaving_date=date(2026, 9, 1),
    )
    card = agent_scorecard(viewer=viewer_of(buyer_pm), partner=world.harbor, period=MONTH)
    assert "Long Gone" not in {r.agent.name for r in card.rows}


def test_agent_scorecard_page_highlights_and_links(login, buyer_pm, world, team_of_twelve):
    url = reverse("kpis:scorecard-agents", args=[world.harbor.pk])
    content = (
        login(buyer_pm)
        .get(url, {"period": "month", "start": "2026-10-01", "sort": "csat"})
        .content.decode()
    )
    assert "Agent 00" in content
    assert "decile" in content
    assert "Beyond threshold with enough data" in content
    assert reverse("kpis:agent-scorecard", args=[team_of_twelve[0].pk]) in content


def test_agent_page_draws_trends(login, buyer_pm, world, team_of_twelve):
    agent = team_of_twelve[3]
    content = (
        login(buyer_pm)
        .get(
            reverse("kpis:agent-scorecard", args=[agent.pk]),
            {"period": "month", "start": "2026-10-01"},
        )
        .content.decode()
    )
    assert 'data-plotly="trend-chat-csat"' in content
    assert "Agent 03" in content


def test_weekly_scorecard_compares_with_last_week_and_the_eight_before(buyer_pm, world):
    week = Period(PeriodType.WEEK, date(2026, 11, 16))
    for i, previous in enumerate(week.last(9)[:-1]):
        snap(world.harbor, previous, **csat(10, 9 if i < 7 else 5))  # last week: 50 %
    snap(world.harbor, week, **csat(10, 8))
    snap(world.zanzibar, week, **csat(10, 1))  # another account
    (row,) = weekly_scorecard(viewer=viewer_of(buyer_pm), week=week)
    value, vs_last, vs_average = row.cell(Kpi.CSAT)
    assert float(value.value) == pytest.approx(0.8)
    assert float(vs_last) == pytest.approx(0.3)
    # the eight weeks pooled: (7 * 9 + 5) / 80 = 85 %
    assert float(row.average[Kpi.CSAT].value) == pytest.approx(0.85)
    assert float(vs_average) == pytest.approx(-0.05)


def test_weekly_page_defaults_to_the_last_complete_week(login, buyer_pm, world):
    content = login(buyer_pm).get(reverse("kpis:weekly")).content.decode()
    assert "Weekly scorecard:" in content


def test_scorecards_entry_sends_partner_users_to_their_own_scorecard(
    login, partner_lead, buyer_pm, world
):
    assert login(partner_lead).get(reverse("kpis:scorecards")).url == reverse(
        "kpis:scorecard-channels", args=[world.harbor.pk]
    )
    assert login(buyer_pm).get(reverse("kpis:scorecards")).url == reverse("kpis:weekly")


def test_partner_users_see_only_their_own_partner_in_the_weekly_view(partner_lead, world):
    week = Period(PeriodType.WEEK, date(2026, 11, 16))
    snap(world.harbor, week, **csat(10, 8))
    snap(world.pacific, week, **csat(10, 8))
    rows = weekly_scorecard(viewer=viewer_of(partner_lead), week=week)
    assert [r.partner for r in rows] == [world.harbor]


# QUERY COUNTS: 10 AGENTS OR 500, THE SAME
# ------------------------------------------------------------------------------


def _grow(world, n: int) -> None:
    teams = [world.harbor_team, TeamFactory(partner=world.harbor, channel="email")]
    for i in range(n - world.harbor.agents.count()):
        agent = AgentFactory(partner=world.harbor, team=teams[i % 2], hire_date=date(2025, 1, 1))
        snap(
            world.harbor, MONTH, agent=agent, channel=teams[i % 2].channel, **csat(40, 30 + i % 10)
        )
        snap(
            world.harbor,
            MONTH.previous(),
            agent=agent,
            channel=teams[i % 2].channel,
            **csat(40, 30),
        )
    for channel in ("chat", "email"):
        for period in (MONTH, MONTH.previous()):
            KpiSnapshot.objects.get_or_create(
                partner=world.harbor,
                channel=channel,
                agent=None,
                period_type="month",
                period_start=period.start,
            )


def _count(client, url, params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
        assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    ("url_name", "needs_partner", "params"),
    [
        ("kpis:scorecard-agents", True, {"period": "month", "start": "2026-10-01"}),
        (
            "kpis:scorecard-agents",
            True,
            {"period": "month", "start": "2026-10-01", "sort": "fcr", "tenure": "veteran"},
        ),
        ("kpis:scorecard-channels", True, {"period": "month", "start": "2026-10-01"}),
        ("kpis:weekly", False, {}),
        ("kpis:interactions", True, {}),
        ("api:scorecard-agents", False, {"partner": "HARBOR", "period_start": "2026-10-01"}),
        ("api:scorecard-channels", False, {"partner": "HARBOR", "period_start": "2026-10-01"}),
        ("api:kpi-snapshot-list", False, {"page_size": 500}),
    ],
)
def test_scorecards_cost_the_same_queries_for_10_and_for_500_agents(
    url_name, needs_partner, params, login, buyer_pm, world
):
    client = login(buyer_pm)
    url = reverse(url_name, args=[world.harbor.pk] if needs_partner else [])
    params = {k: (world.harbor.pk if v == "HARBOR" else v) for k, v in params.items()}
    _grow(world, 10)
    with_10 = _count(client, url, params)
    _grow(world, 500)
    assert _count(client, url, params) == with_10


def test_agent_page_query_count_is_constant_over_history(login, buyer_pm, world):
    agent = AgentFactory(partner=world.harbor, team=world.harbor_team)
    client = login(buyer_pm)
    url = reverse("kpis:agent-scorecard", args=[agent.pk])
    snap(world.harbor, MONTH, agent=agent, **csat(40, 30))
    one = _count(client, url, {"period": "month", "start": "2026-10-01"})
    for period in MONTH.last(12)[:-1]:
        snap(world.harbor, period, agent=agent, **csat(40, 30))
        snap(world.harbor, period, agent=agent, channel="email", **csat(40, 30))
    assert _count(client, url, {"period": "month", "start": "2026-10-01"}) == one


def test_the_agent_scorecard_pages_a_large_roster_and_keeps_the_sort(login, buyer_pm, world):
    _grow(world, 130)
    url = reverse("kpis:scorecard-agents", args=[world.harbor.pk])
    params = {"period": "month", "start": "2026-10-01", "sort": "csat", "desc": "on"}
    content = login(buyer_pm).get(url, params).content.decode()
    assert content.count('href="/agents/') == 100
    assert "Page 1 of 2" in content
    assert "sort=csat&amp;desc=on&amp;page=2" in content
    second = login(buyer_pm).get(url, {**params, "page": 2}).content.decode()
    assert "Page 2 of 2" in second
    assert second.count('href="/agents/') == 30


def test_wide_tables_put_less_important_kpis_behind_a_toggle(login, buyer_pm, world):
    week = Period(PeriodType.WEEK, date(2026, 11, 16))
    snap(world.harbor, week, **csat(10, 8))
    content = login(buyer_pm).get(reverse("kpis:weekly"), {"start": "2026-11-16"}).content.decode()
    assert 'id="weekly-more-columns"' in content
    assert '<th scope="col" class="num col-more">NPS</th>' in content
    assert '<th scope="col" class="num">CSAT</th>' in content
