"""Cost per resolved contact through the pages, against a hand-worked example; who may see it;
the what-if; the account overview and its query count; and the engagement card of the
partner page (scope discipline for everyone, cost for the buyer's managers)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from engagements import services
from engagements.services import BaselineInput, LineInput, ScopeInput
from kpis.models import Interaction
from kpis.periods import Period, PeriodType
from sla import evaluation
from tests.factories.calibration import viewer_of
from tests.factories.partners import PartnerFactory
from tests.factories.sla import make_contract, month_snapshot

D = Decimal


@pytest.fixture
def pm(buyer_pm):
    return viewer_of(buyer_pm)


@pytest.fixture
def types(pm):
    return {t.code: t for t in services.standard_types_ensure(viewer=pm)}


@pytest.fixture
def quarter(today) -> Period:
    return Period.containing(PeriodType.QUARTER, today).previous()


@pytest.fixture
def months(quarter):
    """The last two months of last quarter: (second, third)."""
    third = quarter.next().start - timedelta(days=1)
    second = Period.containing(PeriodType.MONTH, third).previous()
    return second.start, third.replace(day=1)


def harbor_scope(pm, world, types):
    """3,000 chat contacts a month on business hours; 1.5 governance FTEs at 6,000 USD a
    month; in-house chat costs 7.50 USD a contact at 76 % FCR."""
    return services.scope_save(
        viewer=pm,
        partner=world.harbor,
        data=ScopeInput(
            monthly_volume=3000,
            first_month=date(2025, 1, 1),
            lines=[
                LineInput("chat", types["order-status"], 2000),
                LineInput("chat", types["billing"], 1000),
            ],
            shifts=["business_hours"],
            governance_fte=D("1.5"),
            governance_fte_cost=D("6000"),
            baselines=[BaselineInput("chat", fcr_pct=D(76), cost_per_contact=D("7.50"))],
        ),
    )


@pytest.fixture
def costed(pm, world, types, months, today):
    """Per contact at 4.00 USD with 10 % WFM and 5 % QA loaded on top. Two months settled:
    2,500 contacts (1,500 resolved), then 3,000 contacts (2,100 resolved)."""
    harbor_scope(pm, world, types)
    contract = make_contract(
        world.harbor, start_date=months[0] - timedelta(days=400), rate=D("4.00"),
        wfm_pct=D(10), qa_pct=D(5),
    )  # fmt: skip
    for month, contacts, resolved in ((months[0], 2500, 1500), (months[1], 3000, 2100)):
        month_snapshot(world.harbor, "chat", month, contacts=contacts, fcr_n=contacts,
                       fcr_yes=resolved)  # fmt: skip
        evaluation.evaluate_contract_month(contract, month, today)
    return contract


def costs_url(partner) -> str:
    return reverse("engagements:costs", args=[partner.pk])


# THE PARTNER'S COSTS
# ------------------------------------------------------------------------------


def test_the_cost_page_matches_the_hand_worked_example(costed, world, login, buyer_pm, months):
    response = login(buyer_pm).get(costs_url(world.harbor))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [r.month for r in rows] == list(months)
    (label, third), total = rows[1].cells[0], rows[1].total
    assert label == "Chat"
    # Invoice 3,000 × 4.00; loaded +15 %; governance 1.5 × 6,000, all on chat.
    assert third.headline == D("12000.00")
    assert third.loaded == D("13800.00")
    assert third.governance == D("9000.00")
    assert third.total == D("22800.00")
    assert third.resolved == 2100
    assert third.per_resolved == D("10.86")  # 22,800 / 2,100
    assert total == third
    assert rows[0].total.per_resolved == D("13.67")  # (10,000 + 1,500 + 9,000) / 1,500
    page = response.content.decode()
    for shown in ("12,000.00 USD", "13,800.00 USD", "9,000.00 USD", "22,800.00 USD",
                  "10.86 USD", "13.67 USD", "2,100"):  # fmt: skip
        assert shown in page
    # In-house: 7.50 / 76 % FCR.
    assert response.context["cost"].in_house == {"chat": D("9.87")}
    assert "9.87 USD" in page
    # The chart: a line per channel and the in-house baseline dashed, from static plotly.
    figure = response.context["charts"]["cost-trend"]
    assert figure["data"][0]["y"] == [13.67, 10.86]
    assert figure["data"][1]["line"]["dash"] == "dash"
    assert figure["data"][1]["y"] == [9.87, 9.87]
    assert "/static/vendor/plotly.min.js" in page
    assert "cdn" not in page.lower()


def test_the_what_if_prices_last_quarter_under_each_model(costed, world, login, buyer_pm, quarter):
    response = login(buyer_pm).get(costs_url(world.harbor))
    what_if = response.context["what_if"]
    assert what_if.quarter == quarter
    assert what_if.actual_cost == D("22000.00")  # the two invoices, headline charges
    assert (what_if.actual.contacts, what_if.actual.resolved) == (5500, 3600)
    # Forecast for the two settled months, 2 × 3,000 contacts at 76 % FCR: 6,000 contacts,
    # 4,560 resolved.
    assert (what_if.expected.contacts, what_if.expected.resolved) == (6000, 4560)
    rows = {r.model.value: r for r in what_if.rows}
    # The rate card charges chat 4.00 a contact: 24,000.00 for the forecast. Each model is
    # priced to charge that for the forecast, so the current model keeps its rate and its
    # invoice.
    assert what_if.planned_cost == D("24000.00")
    assert rows["per_contact"].current
    assert rows["per_contact"].rate_text == "chat 4.0000 USD"
    assert rows["per_contact"].amount == D("22000.00")  # 5,500 × 4.00, as invoiced
    assert rows["per_contact"].difference == D("0.00")
    assert rows["per_resolved"].rate_text == "chat 5.2632 USD"  # 24,000 / 4,560
    assert rows["per_resolved"].amount == D("18947.37")  # 3,600 × 24,000 / 4,560
    assert rows["per_resolved"].difference == D("-3052.63")
    assert rows["per_hour"].amount is None  # no hours entered
    page = response.content.decode()
    assert "current contract" in page
    assert "18,947.37 USD" in page
    assert "−3,052.63 USD" in page
    assert "the scope's forecast (6,000 contacts at the baseline FCR of 76%" in page


def test_without_settlements_or_scope_the_page_says_so(world, login, buyer_exec):
    response = login(buyer_exec).get(costs_url(world.pacific))
    assert response.status_code == 200
    page = response.content.decode()
    assert "No settlement in the last 12 complete months" in page
    assert "has no scope of work yet" in page
    assert "Nothing to price" in page
    assert response.context["charts"] == {}


@pytest.mark.parametrize("who", ["partner_lead", "partner_viewer", "buyer_reviewer"])
def test_only_program_managers_and_executives_see_costs(world, login, who, request):
    user = request.getfixturevalue(who)
    assert login(user).get(costs_url(world.harbor)).status_code == 403
    assert login(user).get(reverse("engagements:cost-overview")).status_code == 403


def test_another_accounts_partner_is_a_404(world, login, outsider_pm):
    assert login(outsider_pm).get(costs_url(world.harbor)).status_code == 404


# THE OVERVIEW
# ------------------------------------------------------------------------------


def test_the_overview_has_a_row_per_outsourcing_partner(costed, world, login, buyer_exec, months):
    PartnerFactory(account=world.account, name="In-house support", in_house=True)
    response = login(buyer_exec).get(reverse("engagements:cost-overview"))
    assert response.status_code == 200
    rows = {r.partner.name: r for r in response.context["rows"]}
    assert set(rows) == {"Harbor Support", "Quetzal Contact"}
    harbor = rows["Harbor Support"]
    assert harbor.month == months[1]
    assert harbor.latest.per_resolved == D("10.86")
    assert harbor.in_house == D("9.87")
    assert harbor.above_in_house == D("10.0")  # 10.86 / 9.87 − 1
    assert [v for _, v in harbor.trend if v is not None] == [D("13.67"), D("10.86")]
    assert rows["Quetzal Contact"].latest is None
    page = response.content.decode()
    assert costs_url(world.harbor) in page
    assert "+10.0%" in page
    assert "no settlement in the last 6 months" in page
    assert f"cost-spark-{world.harbor.pk}" in response.context["charts"]


def test_the_overview_query_count_does_not_grow_with_months_and_channels(
    costed, world, login, buyer_pm, today, months
):
    client = login(buyer_pm)
    url = reverse("engagements:cost-overview")
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    # More months, more channels, a second partner's contract and settlements.
    earlier = Period.containing(PeriodType.MONTH, months[0]).previous().start
    for channel in ("voice", "email"):
        month_snapshot(world.harbor, channel, months[1], contacts=500, fcr_yes=300)
    month_snapshot(world.harbor, "chat", earlier, contacts=2000, fcr_yes=1300)
    evaluation.evaluate_contract_month(costed, months[1], today)
    evaluation.evaluate_contract_month(costed, earlier, today)
    quetzal = make_contract(world.pacific, start_date=earlier - timedelta(days=400))
    for month in (earlier, *months):
        month_snapshot(world.pacific, "voice", month, contacts=900, fcr_yes=600)
        month_snapshot(world.pacific, "social", month, contacts=100, fcr_yes=50)
        evaluation.evaluate_contract_month(quetzal, month, today)
    with CaptureQueriesContext(connection) as after:
        response = client.get(url)
    rows = {r.partner.name: r for r in response.context["rows"]}
    assert len(rows["Harbor Support"].cost.channels) == 3
    assert rows["Quetzal Contact"].latest is not None
    assert len(after) == len(before)


# THE PARTNER PAGE
# ------------------------------------------------------------------------------


def recent_contacts(world, types, today, in_scope: int, outside: int) -> None:
    """Contacts opened at 10:00 UTC on a recent weekday: `in_scope` chat order-status ones,
    `outside` on email (a channel the scope leaves out)."""
    day = next(
        today - timedelta(days=n) for n in range(1, 8) if (today - timedelta(days=n)).weekday() < 5
    )
    opened = datetime.combine(day, time(10), tzinfo=UTC)
    for n in range(in_scope + outside):
        Interaction.objects.create(
            partner=world.harbor, agent=world.harbor_agent, external_id=f"C-{n}",
            channel="chat" if n < in_scope else "email",
            interaction_type=types["order-status"], opened_at=opened,
        )  # fmt: skip


def test_the_partner_page_shows_scope_discipline_and_cost_per_resolved(
    costed, world, types, login, buyer_pm, partner_lead, today
):
    recent_contacts(world, types, today, in_scope=19, outside=1)
    url = reverse("home:partner-detail", args=[world.harbor.pk])
    page = login(buyer_pm).get(url).content.decode()
    assert "Scope discipline" in page
    assert "95.0 %" in page
    assert "healthy" in page
    assert "1 out-of-scope contact</span> of 20" in page
    assert "Cost per resolved contact" in page
    assert "10.86 USD" in page
    assert "9.87 USD in-house" in page
    assert costs_url(world.harbor) in page
    assert reverse("engagements:timeline", args=[world.harbor.pk]) in page

    # The partner's own people see their scope discipline, not the buyer's costs.
    page = login(partner_lead).get(url).content.decode()
    assert "95.0 %" in page
    assert "Cost per resolved contact" not in page
    assert costs_url(world.harbor) not in page


def test_the_partner_page_without_scope_or_cost_says_so(world, login, buyer_pm):
    page = login(buyer_pm).get(reverse("home:partner-detail", args=[world.pacific.pk]))
    text = page.content.decode()
    assert "No scope of work yet" in text
    assert "No settlement in the last 3 months to cost." in text
    assert "No stage recorded yet." in text
