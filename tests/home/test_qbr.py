"""The quarterly business review: the quarters, every partner side by side, one partner;
figures worked by hand from the contract (900 and 1,000 chat contacts at 4.00 USD, the CSAT
template's bands: a 10 % credit below 75 %, a 5 % bonus from 88 %, capped at 10 % and 5 %)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from calibration import services as calibration_services
from calibration.models import CalibrationSession
from engagements.models import Baseline, ScopeVersion
from kpis.models import KpiSnapshot
from partners.models import Agent, Membership
from partners.scoping import viewer_for_membership
from sla.evaluation import evaluate_contract_month
from sla.models import ExitCriterion, RemediationPlan, Settlement
from tests.factories.calibration import CRITERIA as CALIBRATION_CRITERIA
from tests.factories.calibration import make_session
from tests.factories.partners import AgentFactory, PartnerFactory
from tests.factories.sla import govern_template, make_contract, make_sla, month_snapshot

OCTOBER, NOVEMBER, DECEMBER = date(2026, 10, 1), date(2026, 11, 1), date(2026, 12, 1)


def settle_quarter(partner, *, name: str = "MSA") -> None:
    """October in the penalty band (CSAT 66.7 %), November in the bonus band (90.0 %),
    December not evaluated yet."""
    contract = make_contract(partner, channels=("chat",), name=name)
    sla = make_sla(contract)
    govern_template(sla, "chat", "csat")
    month_snapshot(partner, "chat", OCTOBER, contacts=900, csat_n=300, csat_positive=200)
    month_snapshot(partner, "chat", NOVEMBER, contacts=1000, csat_n=300, csat_positive=270)
    evaluate_contract_month(contract, OCTOBER, date(2026, 11, 5))
    evaluate_contract_month(contract, NOVEMBER, date(2026, 12, 5))


def qbr_url(year: int = 2026, number: int = 4, partner=None) -> str:
    if partner is None:
        return reverse("home:qbr-quarter", args=[year, number])
    return reverse("home:qbr-partner", args=[year, number, partner.pk])


@pytest.fixture
def settled(world):
    settle_quarter(world.harbor)
    return world


def test_the_quarter_shows_each_kpi_by_month_against_its_bands(settled, buyer_pm, login) -> None:
    response = login(buyer_pm).get(qbr_url())
    assert response.status_code == 200
    page = response.content.decode()
    review = next(r for r in response.context["reviews"] if r.partner == settled.harbor)
    row = review.kpis[0]
    assert (row.channel_label, row.kpi_label) == ("Chat", "CSAT")
    october, november, december = row.months
    assert (october.status.band_kind, october.status.value_text, october.status.sample) == (
        "penalty", "66.7%", 300,
    )  # fmt: skip
    assert november.status.band_kind == "bonus"
    assert december.status is None
    for text in ("Harbor Support", "66.7%", "90.0%", "n=300", "not evaluated", "October"):
        assert text in page
    assert "Quarterly business review: Q4 2026" in page


def test_the_quarter_shows_the_money_the_bands_moved(settled, buyer_pm, login) -> None:
    response = login(buyer_pm).get(qbr_url())
    review = next(r for r in response.context["reviews"] if r.partner == settled.harbor)
    # October: 900 × 4.00 = 3,600.00 invoiced, 10 % credit = 360.00 (the cap is 10 % too).
    # November: 1,000 × 4.00 = 4,000.00 invoiced, 5 % bonus = 200.00 (the cap is 5 %).
    october, november, december = review.money
    assert october.amount("invoice_total") == "3,600.00 USD"
    assert october.amount("credit_total") == "360.00 USD"
    assert november.amount("bonus_total") == "200.00 USD"
    assert december.amount("net") == "–"
    assert (review.invoiced, review.credits, review.bonuses, review.net) == (
        "7,600.00 USD", "360.00 USD", "200.00 USD", "7,440.00 USD",
    )  # fmt: skip
    page = response.content.decode()
    for text in ("7,600.00 USD", "360.00 USD", "200.00 USD", "7,440.00 USD", "3,240.00 USD"):
        assert text in page
    # A partner without a contract is on the page, with nothing to settle.
    assert "No settlement for Quetzal Contact in this quarter." in page


def test_a_partner_with_two_contracts_sums_them_per_month(world, buyer_pm, login) -> None:
    """One contract per channel (issue 11): a month may have two settlements of one partner."""
    settle_quarter(world.harbor, name="Chat MSA")
    voice = make_contract(world.harbor, channels=("voice",), name="Voice MSA",
                          pricing_model="per_contact", rate="2.00")  # fmt: skip
    month_snapshot(world.harbor, "voice", OCTOBER, contacts=500)
    evaluate_contract_month(voice, OCTOBER, date(2026, 11, 5))
    assert Settlement.objects.filter(partner=world.harbor, month=OCTOBER).count() == 2
    response = login(buyer_pm).get(qbr_url(partner=world.harbor))
    (review,) = response.context["reviews"]
    # 3,600.00 for chat and 500 × 2.00 = 1,000.00 for voice.
    assert review.money[0].amount("invoice_total") == "4,600.00 USD"
    assert review.invoiced == "8,600.00 USD"


def test_one_partner_alone(settled, buyer_pm, login) -> None:
    response = login(buyer_pm).get(qbr_url(partner=settled.harbor))
    assert response.status_code == 200
    assert [r.partner for r in response.context["reviews"]] == [settled.harbor]
    page = response.content.decode()
    assert "Harbor Support, Q4 2026" in page
    assert "Quetzal" not in page


def test_executives_read_the_qbr_and_other_roles_do_not(
    settled, buyer_exec, buyer_reviewer, partner_lead, login
) -> None:
    assert login(buyer_exec).get(qbr_url()).status_code == 200
    assert login(buyer_exec).get(reverse("home:qbr-list")).status_code == 200
    for user in (buyer_reviewer, partner_lead):
        assert login(user).get(qbr_url()).status_code == 403
        assert login(user).get(qbr_url(partner=settled.harbor)).status_code == 403


@pytest.mark.parametrize(("year", "number"), [(2026, 5), (2026, 0), (0, 1)])
def test_a_quarter_that_does_not_exist_is_a_404(world, buyer_pm, login, year, number) -> None:
    assert login(buyer_pm).get(qbr_url(year, number)).status_code == 404


@pytest.mark.parametrize(
    ("today", "default"),
    [("2026-12-03", "Q3 2026"), ("2027-01-01", "Q4 2026"), ("2028-02-29", "Q4 2027"),
     ("2026-03-31", "Q4 2025")],
)  # fmt: skip
def test_the_list_offers_the_last_complete_quarter(
    settled, buyer_pm, login, time_machine, today, default
) -> None:
    time_machine.move_to(f"{today}T12:00:00Z", tick=False)
    response = login(buyer_pm).get(reverse("home:qbr-list"))
    assert response.status_code == 200
    assert f"{default}, the last complete quarter" in response.content.decode()
    # The quarters with data are listed, down to the first settled one; none to come.
    listed = [q.period.start for q in response.context["quarters"]]
    assert (OCTOBER in listed) == (today >= "2026-10-01")
    assert listed == sorted(listed, reverse=True)


def test_the_quarter_page_costs_the_same_queries_for_one_partner_or_three(
    world, buyer_pm, login
) -> None:
    client = login(buyer_pm)
    settle_quarter(world.harbor)
    client.get(qbr_url())  # warm the session and the viewer
    with CaptureQueriesContext(connection) as one:
        client.get(qbr_url())
    for n in range(2):
        settle_quarter(PartnerFactory(account=world.account, name=f"Extra {n}"))
    with CaptureQueriesContext(connection) as three:
        response = client.get(qbr_url())
    assert len(response.context["reviews"]) == 4  # Harbor, Quetzal and the two extras
    assert len(three) == len(one)


def test_the_quarter_shows_plans_exit_criteria_and_calibration(settled, buyer_pm, login) -> None:
    """October's penalty opened a plan, still open at the quarter's end; the contract's exit
    criterion has not been met; one session was revealed in November at 87.5 % agreement."""
    harbor = settled.harbor
    contract = harbor.contracts.get()
    ExitCriterion.objects.create(contract=contract, kpi="csat", comparison="below", threshold=80,
                                 period_type="quarter", periods=2, streak=1)  # fmt: skip
    viewer = viewer_for_membership(Membership.objects.get(user=buyer_pm))
    rubric = calibration_services.rubric_create(
        viewer=viewer, name="Chat QA", channel="", criteria=CALIBRATION_CRITERIA
    )
    session = make_session(buyer_pm, harbor, rubric, [(buyer_pm, "buyer")], items=1)
    CalibrationSession.objects.filter(pk=session.pk).update(
        revealed_at=datetime(2026, 11, 20, 15, tzinfo=UTC), agreement=Decimal("0.875"),
        bias=Decimal("-2.5"),
    )  # fmt: skip
    response = login(buyer_pm).get(qbr_url(partner=harbor))
    (review,) = response.context["reviews"]
    assert [(p.opened, p.closed, p.open_at_end) for p in review.plans] == [(True, False, True)]
    assert (review.plans_opened, review.plans_closed, review.plans_open_at_end) == (1, 0, 1)
    assert review.alignment == "87.5 %"
    page = response.content.decode()
    assert "1 opened and 0 closed in the quarter; 1 open at its end." in page
    assert "CSAT below 80% for 2 consecutive quarters" in page
    assert "1 of 2" in page
    assert "mean agreement 87.5 %" in page
    assert "−2.5" in page


def test_a_plan_closed_before_the_quarter_is_not_in_it(settled, buyer_pm, login) -> None:
    plan = RemediationPlan.objects.get(partner=settled.harbor)
    plan.status, plan.closed_at = "closed", datetime(2026, 9, 30, 12, tzinfo=UTC)
    plan.opened_at = datetime(2026, 8, 1, tzinfo=UTC)
    plan.save()
    response = login(buyer_pm).get(qbr_url(partner=settled.harbor))
    assert response.context["reviews"][0].plans == []
    assert "No remediation plan was open in the quarter." in response.content.decode()


def test_attrition_is_the_trailing_year_to_the_quarters_end(
    world, buyer_pm, login, time_machine
) -> None:
    """Four agents all year, one of whom left in November: 1 / 3.5 average = 28.6 % a year
    (good: under 30 %), counted to 31 December, not to today (a hire in January is not in the
    headcount)."""
    time_machine.move_to("2027-02-01T12:00:00Z", tick=False)
    harbor = world.harbor
    harbor.go_live_date = date(2025, 1, 1)  # live all the trailing year
    harbor.save()
    Agent.objects.filter(partner=harbor).delete()
    for n in range(4):
        AgentFactory(partner=harbor, team=world.harbor_team, hire_date=date(2025, 1, 1),
                     leaving_date=date(2026, 11, 15) if n == 0 else None)  # fmt: skip
    AgentFactory(partner=harbor, team=world.harbor_team, hire_date=date(2027, 1, 10))
    response = login(buyer_pm).get(qbr_url(partner=harbor))
    roster = response.context["reviews"][0].roster
    assert (roster.attrition.leavers, roster.headcount) == (1, 3)
    assert roster.attrition.health == "good"
    assert "28.6 %" in response.content.decode()
    assert "headcount 3" in response.content.decode()


def test_the_quarter_costs_each_resolved_contact(world, buyer_pm, login) -> None:
    """October: 900 contacts × 4.00 = 3,600.00 invoiced, +10 % workforce management = 3,960.00
    loaded, 600 resolved: 6.60 each. November: 4,000.00 → 4,400.00 loaded, 800 resolved:
    5.50. The quarter: 8,360.00 / 1,400 = 5.97 (no governance cost without a scope)."""
    harbor = world.harbor
    contract = make_contract(harbor, channels=("chat",), wfm_pct=Decimal(10))
    month_snapshot(harbor, "chat", OCTOBER, contacts=900, fcr_yes=600, fcr_n=900)
    month_snapshot(harbor, "chat", NOVEMBER, contacts=1000, fcr_yes=800, fcr_n=1000)
    evaluate_contract_month(contract, OCTOBER, date(2026, 11, 5))
    evaluate_contract_month(contract, NOVEMBER, date(2026, 12, 5))
    response = login(buyer_pm).get(qbr_url(partner=harbor))
    (review,) = response.context["reviews"]
    quarter_cost = review.quarter_cost
    assert (quarter_cost.loaded, quarter_cost.resolved) == (Decimal("8360.00"), 1400)
    assert quarter_cost.per_resolved == Decimal("5.97")
    table = response.content.decode()
    for text in ("3,960.00 USD", "6.60 USD", "5.50 USD", "5.97 USD", "1,400"):
        assert text in table
    assert "No in-house baseline is entered" in table


def test_the_cost_is_set_against_the_in_house_baseline(world, buyer_pm, login) -> None:
    """In-house chat costs 4.00 a contact at 80 % FCR: 5.00 per resolved contact. The
    partner's quarter at 5.97 (above) is 19.4 % dearer."""
    harbor = world.harbor
    contract = make_contract(harbor, channels=("chat",), wfm_pct=Decimal(10))
    month_snapshot(harbor, "chat", OCTOBER, contacts=900, fcr_yes=600, fcr_n=900)
    month_snapshot(harbor, "chat", NOVEMBER, contacts=1000, fcr_yes=800, fcr_n=1000)
    evaluate_contract_month(contract, OCTOBER, date(2026, 11, 5))
    evaluate_contract_month(contract, NOVEMBER, date(2026, 12, 5))
    version = ScopeVersion.objects.create(
        account=world.account, partner=harbor, version=1, monthly_volume=1000,
        first_month=date(2026, 1, 1), governance_fte=Decimal(0),
    )  # fmt: skip
    Baseline.objects.create(scope=version, channel="chat", cost_per_contact=Decimal("4.00"),
                            fcr_pct=Decimal(80))  # fmt: skip
    response = login(buyer_pm).get(qbr_url(partner=harbor))
    (review,) = response.context["reviews"]
    assert review.against_in_house == "19.4 % above in-house"
    assert "the same channel mix costs 5.00 USD per resolved contact" in (response.content.decode())


def test_every_table_downloads_as_csv(settled, buyer_pm, login) -> None:
    client = login(buyer_pm)
    page = client.get(qbr_url(partner=settled.harbor)).content.decode()
    for name in ("kpis", "settlements", "cost", "plans", "exits", "calibration", "actions"):
        url = reverse("home:qbr-csv", args=[2026, 4, name])
        assert f"{url}?partner={settled.harbor.pk}" in page
    response = client.get(reverse("home:qbr-csv", args=[2026, 4, "settlements"]),
                          {"partner": settled.harbor.pk})  # fmt: skip
    assert response["Content-Disposition"] == (
        'attachment; filename="keel-qbr-2026-Q4-harbor-support-settlements.csv"'
    )
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:5] == ["partner", "month", "contract", "currency", "invoice"]
    assert rows[1][:2] == ["Harbor Support", "2026-10-01"]
    assert (rows[1][3], rows[1][4], rows[1][5]) == ("USD", "3600.00", "360.00")
    kpis = client.get(reverse("home:qbr-csv", args=[2026, 4, "kpis"])).getvalue().decode()
    assert "Harbor Support,Chat,CSAT,2026-10-01,66.7%,penalty,300,decided" in kpis
    summary = client.get(reverse("home:qbr-csv", args=[2026, 4, "summary"])).getvalue().decode()
    assert "Harbor Support,USD,7600.00,360.00,200.00,7440.00" in summary
    assert client.get(reverse("home:qbr-csv", args=[2026, 4, "secrets"])).status_code == 404


def test_a_cell_that_would_be_a_formula_is_written_as_text(world, buyer_pm, login) -> None:
    world.harbor.name = '=HYPERLINK("http://evil")'
    world.harbor.save()
    settle_quarter(world.harbor)
    body = login(buyer_pm).get(reverse("home:qbr-csv", args=[2026, 4, "summary"]))
    rows = list(csv.reader(io.StringIO(body.getvalue().decode())))
    assert [r[0] for r in rows if "HYPERLINK" in r[0]] == ['\'=HYPERLINK("http://evil")']


def test_what_changed_since_the_previous_quarter(world, buyer_pm, login) -> None:
    """September (Q3) in base at 85.0 %; Q4 ends in bonus (November, 90.0 %): better. Q3's
    settlement (1,000 contacts × 4.00, nothing moved) is shown beside Q4's."""
    harbor = world.harbor
    settle_quarter(harbor)
    contract = harbor.contracts.get()
    month_snapshot(harbor, "chat", date(2026, 9, 1), contacts=1000, csat_n=300, csat_positive=255)
    evaluate_contract_month(contract, date(2026, 9, 1), date(2026, 10, 5))
    response = login(buyer_pm).get(qbr_url(partner=harbor))
    (review,) = response.context["reviews"]
    (row,) = review.kpis
    assert row.previous.band_kind == "base"
    assert row.change == "↑ better: base → bonus"
    assert review.previous_total("net") == "4,000.00 USD"
    page = response.content.decode()
    assert "↑ better: base → bonus" in page
    assert "4,000.00 USD" in page


def test_a_band_that_worsened_says_so_in_words(world, buyer_pm, login) -> None:
    harbor = world.harbor
    contract = make_contract(harbor, channels=("chat",))
    govern_template(make_sla(contract), "chat", "csat")
    month_snapshot(harbor, "chat", date(2026, 9, 1), contacts=1000, csat_n=300, csat_positive=270)
    month_snapshot(harbor, "chat", OCTOBER, contacts=900, csat_n=300, csat_positive=240)
    evaluate_contract_month(contract, date(2026, 9, 1), date(2026, 10, 5))
    evaluate_contract_month(contract, OCTOBER, date(2026, 11, 5))
    response = login(buyer_pm).get(qbr_url(partner=harbor))
    (row,) = response.context["reviews"][0].kpis
    # 90.0 % (bonus) in September, 80.0 % (remediation) in October.
    assert row.change == "↓ worse: bonus → remediation"


def test_a_leading_indicator_that_worsened_is_flagged(world, buyer_pm, login) -> None:
    """QA fell from 90.0 to 84.0 between Q3 and Q4 while CSAT held at 85.0 %: an early
    warning; the quarter summary counts it."""
    harbor = world.harbor
    for start, qa_sum in ((date(2026, 7, 1), 9000 * 100), (OCTOBER, 8400 * 100)):
        KpiSnapshot.objects.create(
            partner=harbor, channel="chat", period_type="quarter", period_start=start,
            contacts=1000, csat_n=200, csat_positive=170, qa_n=100, qa_sum=qa_sum,
        )  # fmt: skip
    response = login(buyer_pm).get(qbr_url())
    review = next(r for r in response.context["reviews"] if r.partner == harbor)
    assert review.warnings == [
        "QA score fell 6.0 points (90.0 % → 84.0 %) while CSAT and FCR held: quality usually "
        "follows."
    ]
    assert "Early warning:" in response.content.decode()


def test_the_executives_home_is_the_portfolio_of_the_quarter_so_far(
    settled, buyer_exec, login, time_machine
) -> None:
    time_machine.move_to("2026-12-03T12:00:00Z", tick=False)
    client = login(buyer_exec)
    response = client.get(reverse("home:home"))
    page = response.content.decode()
    assert "Q4 2026 so far" in page
    harbor = next(r for r in response.context["portfolio"] if r.partner == settled.harbor)
    # 200.00 bonus in November less the 360.00 credit in October.
    assert (harbor.net, harbor.consequences) == ("7,440.00 USD", "-160.00 USD")
    assert "7,440.00 USD" in page
    assert reverse("home:qbr-quarter", args=[2026, 3]) in page  # the last complete quarter
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("home:home"))
    for n in range(2):
        settle_quarter(PartnerFactory(account=settled.account, name=f"Extra {n}"))
    with CaptureQueriesContext(connection) as three:
        client.get(reverse("home:home"))
    assert len(three) == len(one)


def test_the_program_managers_home_shows_where_each_partner_stands(
    settled, buyer_pm, login, time_machine
) -> None:
    """On 20 November: October in penalty, November so far in bonus; October's draft
    settlement waits for approval."""
    time_machine.move_to("2026-11-20T12:00:00Z", tick=False)
    client = login(buyer_pm)
    response = client.get(reverse("home:home"))
    grid = response.context["grid"]
    ((partner, (row,)),) = grid.partners
    assert partner == settled.harbor
    assert [label for _, label in grid.columns] == ["CSAT"]
    assert row.cells[0].change == "↑ better: penalty → bonus"
    assert [s.month for s in response.context["waiting"]] == [OCTOBER]
    page = response.content.decode()
    assert "↑ better: penalty → bonus" in page
    assert "Harbor Support, October 2026" in page
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("home:home"))
    for n in range(2):
        settle_quarter(PartnerFactory(account=settled.account, name=f"Extra {n}"))
    with CaptureQueriesContext(connection) as three:
        assert len(client.get(reverse("home:home")).context["grid"].rows) == 3
    assert len(three) == len(one)
