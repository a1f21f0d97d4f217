"""The remediation board grouped by partner: each partner's heading counts its overdue, open
and recently closed plans, the closed ones wait folded in a <details> unless asked for, and
the page costs the same queries however many partners and plans it shows."""

from __future__ import annotations

import re
from datetime import date, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core import clock
from sla.models import PlanStatus, RemediationPlan

OCT = date(2026, 10, 1)
KPIS = ["csat", "fcr", "aht", "frt", "sla", "escalation", "reopen", "nps", "ces", "qa"]


def _plan(partner, n, *, due_in, closed_days_ago=None):
    closed = closed_days_ago is not None
    return RemediationPlan.objects.create(
        partner=partner, channel="chat", kpi=KPIS[n % len(KPIS)], kind="remediation",
        opened_month=OCT, opened_at=clock.now(), reason=f"{partner.name} reason {n}",
        due_date=clock.today() + timedelta(days=due_in),
        status=PlanStatus.CLOSED if closed else PlanStatus.OPEN,
        closed_at=clock.now() - timedelta(days=closed_days_ago) if closed else None,
    )  # fmt: skip


def _programme(world):
    """Harbor: 1 overdue, 2 open, 1 closed last week, 1 closed long ago (off the board);
    Quetzal: 1 closed last week only."""
    harbor, quetzal = world.harbor, world.pacific
    return {
        "overdue": _plan(harbor, 0, due_in=-3),
        "open": [_plan(harbor, 1, due_in=5), _plan(harbor, 2, due_in=20)],
        "closed": _plan(harbor, 3, due_in=-40, closed_days_ago=7),
        "old": _plan(harbor, 4, due_in=-200, closed_days_ago=90),
        "quetzal_closed": _plan(quetzal, 5, due_in=-10, closed_days_ago=2),
    }


def _section(html, partner):
    """The board's section of one partner."""
    start = html.index(f'id="partner-{partner.pk}"')
    end = html.find('<section class="card board-partner"', start)
    return html[start : end if end != -1 else len(html)]


def _text(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def _link(plan):
    return reverse("sla:plan-detail", args=[plan.pk])


def test_the_board_groups_plans_by_partner_with_counts_and_folds_closed_ones(
    world, buyer_pm, login
):
    # given
    plans = _programme(world)
    # when
    html = login(buyer_pm).get(reverse("sla:remediation-board")).content.decode()
    # then: partners by name, each under its own heading
    assert html.index(">Harbor Support</h2>") < html.index(">Quetzal Contact</h2>")
    harbor = _section(html, world.harbor)
    assert "1 overdue · 2 open, not yet due · 1 closed recently" in _text(harbor)
    # overdue first, then open (soonest due first), both shown
    overdue_at, open_at = harbor.index(">Overdue <"), harbor.index(">Open <")
    assert overdue_at < harbor.index(_link(plans["overdue"])) < open_at
    assert open_at < harbor.index(_link(plans["open"][0])) < harbor.index(_link(plans["open"][1]))
    # the closed plan waits in a folded <details> whose summary counts it
    folded = re.search(r'<details class="closed-plans">\s*<summary>(.*?)</summary>', harbor, re.S)
    assert folded is not None
    assert 'Closed recently <span class="count">1</span>' in folded.group(1)
    assert harbor.index(_link(plans["closed"])) > folded.start()
    assert _link(plans["old"]) not in html  # closed longer ago than the board keeps
    # a partner with only closed plans says it has none open
    quetzal = _section(html, world.pacific)
    assert "0 overdue · 0 open, not yet due · 1 closed recently" in _text(quetzal)
    assert "No open plans." in quetzal
    assert _link(plans["quetzal_closed"]) in quetzal
    # the totals over every partner
    assert re.search(r"<dt>Overdue</dt><dd>1</dd>", html)
    assert re.search(r"<dt>Open</dt><dd>2</dd>", html)
    assert re.search(r"<dt>Closed recently</dt><dd>2</dd>", html)


def test_asking_for_closed_plans_unfolds_them_and_the_partner_filter_keeps_one_partner(
    world, buyer_pm, login
):
    # given
    plans = _programme(world)
    client = login(buyer_pm)
    url = reverse("sla:remediation-board")
    # when
    closed = client.get(url, {"status": "closed"}).content.decode()
    # then: only closed plans, unfolded, and no "no open plans" noise
    assert '<details class="closed-plans" open>' in closed
    assert _link(plans["closed"]) in closed
    assert _link(plans["quetzal_closed"]) in closed
    assert _link(plans["overdue"]) not in closed
    assert "No open plans." not in closed
    counts = re.search(r'<p class="board-counts">(.*?)</p>', _section(closed, world.harbor))
    assert counts is not None
    assert counts.group(1) == "1 closed recently"  # counts of columns not shown are left out
    # when
    harbor_only = client.get(url, {"partner": world.harbor.pk}).content.decode()
    # then
    assert 'id="partner-' + str(world.pacific.pk) not in harbor_only
    assert _link(plans["overdue"]) in harbor_only
    # when: nothing matches
    none = client.get(url, {"partner": world.pacific.pk, "status": "overdue"}).content.decode()
    # then
    assert "No plans match these filters." in none


def test_a_partner_user_sees_only_their_partners_group(world, partner_lead, login):
    # given
    plans = _programme(world)
    # when
    html = login(partner_lead).get(reverse("sla:remediation-board")).content.decode()
    # then
    assert ">Harbor Support</h2>" in html
    assert ">Quetzal Contact</h2>" not in html
    assert _link(plans["quetzal_closed"]) not in html


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_grouped_board_costs_the_same_queries_for_more_partners_and_plans(
    world, buyer_pm, login
):
    client = login(buyer_pm)
    url = reverse("sla:remediation-board")
    _plan(world.harbor, 0, due_in=3)
    one = _count_queries(client, url)
    _programme(world)
    for n in range(6, 10):
        _plan(world.pacific, n, due_in=-n)
    html = client.get(url).content.decode()
    assert html.count('<section class="card board-partner"') == 2
    assert html.count('class="plan-card') == 10  # the one closed 90 days ago is off
    assert html.count('<details class="closed-plans">') == 2
    assert _count_queries(client, url) == one
    assert _count_queries(client, url + "?status=closed") == one
