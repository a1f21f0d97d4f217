"""The program manager's Monday page: early warnings ranked by the money at stake, the week's
move beside each governed KPI, and what needs attention (sessions due, overdue actions, exit
criteria near). Figures worked by hand from the contract: chat at 4.00 USD a contact, the
CSAT template's 10 % credit below 75 %, an AHT guardrail above 600 s."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from calibration.models import CalibrationSession, OutcomeItem, SessionStatus
from core.scoping import Viewer
from home import landing
from home.models import ActionItem, QuarterlyReview, Side
from kpis.models import KpiSnapshot
from partners.models import Membership
from partners.scoping import viewer_for_membership
from sla import selectors as sla_selectors
from sla.evaluation import evaluate_contract_month
from sla.models import ExitCriterion
from tests.factories.calibration import make_rubric, make_session
from tests.factories.partners import PartnerFactory
from tests.factories.sla import govern_template, make_contract, make_sla, month_snapshot

NOVEMBER = date(2026, 11, 1)
TENTH = date(2026, 11, 10)  # 10 of November's 30 days have passed


def viewer(user) -> Viewer:
    return viewer_for_membership(Membership.objects.get(user=user))


def chat_contract(partner, *, contacts: int, csat_positive: int, aht: int = 650):
    """November so far: `contacts` chat contacts at 4.00 USD, CSAT `csat_positive` of 1,000,
    every contact `aht` seconds; evaluated on the 10th."""
    contract = make_contract(partner, channels=("chat",), name=f"{partner.name} MSA")
    sla = make_sla(contract)
    govern_template(sla, "chat", "csat")
    govern_template(sla, "chat", "aht-guardrail")
    month_snapshot(
        partner, "chat", NOVEMBER, contacts=contacts, csat_n=1000, csat_positive=csat_positive,
        handle_n=contacts, handle_seconds=contacts * aht,
    )  # fmt: skip
    evaluate_contract_month(contract, NOVEMBER, TENTH)
    return contract


@pytest.fixture
def tenth(time_machine):
    time_machine.move_to("2026-11-10T12:00:00Z", tick=False)


# EARLY WARNINGS BY MONEY AT STAKE
# ------------------------------------------------------------------------------


def test_warnings_are_grouped_by_partner_and_ranked_by_money_at_stake(
    world, buyer_pm, tenth
) -> None:
    """Quetzal: 6,000 contacts so far, 24,000.00 USD, about 72,000.00 by month end; CSAT 70 %
    heads for the 10 % credit: 7,200.00 at stake. Harbor: 3,000 contacts, 12,000.00 so far,
    36,000.00 by month end: 3,600.00. The AHT guardrail warns too, with no money."""
    chat_contract(world.harbor, contacts=3000, csat_positive=700)
    chat_contract(world.pacific, contacts=6000, csat_positive=700)
    groups = sla_selectors.warnings_by_stake(viewer(buyer_pm), TENTH)
    assert [g.partner for g in groups] == [world.pacific, world.harbor]
    assert [g.stake for g in groups] == [Decimal("7200.00"), Decimal("3600.00")]
    first = groups[0].warnings
    assert [(w.status.kpi, w.stake) for w in first] == [
        ("csat", Decimal("7200.00")),
        ("aht", Decimal(0)),
    ]
    assert first[0].invoice == Decimal("24000.00")
    assert first[0].projected_invoice == Decimal("72000.00")
    assert first[0].band.credit_pct == Decimal(10)


def test_the_home_page_says_what_is_at_stake_and_why(world, buyer_pm, login, tenth) -> None:
    chat_contract(world.harbor, contacts=3000, csat_positive=700)
    page = login(buyer_pm).get(reverse("home:home")).content.decode()
    assert "3,600.00 USD at stake, 2 warnings" in page
    assert (
        "3,600.00 USD at stake: 10 % of the chat invoice of about 36,000.00 USD by month end "
        "(12,000.00 USD so far)"
    ) in page
    assert "A guardrail: a review, no credit" in page


def test_a_warning_without_an_invoice_yet_says_so(world, buyer_pm, tenth) -> None:
    contract = chat_contract(world.harbor, contacts=3000, csat_positive=700)
    contract.settlements.update(invoices={})
    (group,) = sla_selectors.warnings_by_stake(viewer(buyer_pm), TENTH)
    assert group.stake == 0
    assert {w.stake for w in group.warnings} == {None}


def test_warnings_cost_the_same_queries_for_one_partner_or_three(
    world, buyer_pm, login, tenth
) -> None:
    chat_contract(world.harbor, contacts=3000, csat_positive=700)
    with CaptureQueriesContext(connection) as one:
        assert len(sla_selectors.warnings_by_stake(viewer(buyer_pm), TENTH)) == 1
    for n in range(2):
        chat_contract(PartnerFactory(account=world.account, name=f"Extra {n}"), contacts=100,
                      csat_positive=700)  # fmt: skip
    with CaptureQueriesContext(connection) as three:
        assert len(sla_selectors.warnings_by_stake(viewer(buyer_pm), TENTH)) == 3
    assert len(three) == len(one)


def test_other_tenants_warnings_stay_out(world, buyer_pm, tenth) -> None:
    chat_contract(world.zanzibar, contacts=3000, csat_positive=700)
    assert sla_selectors.warnings_by_stake(viewer(buyer_pm), TENTH) == []


# THE WEEK'S MOVE
# ------------------------------------------------------------------------------


def week_snapshot(partner, monday: date, *, positive: int) -> None:
    KpiSnapshot.objects.create(
        partner=partner, channel="chat", agent=None, period_type="week", period_start=monday,
        contacts=500, csat_n=200, csat_positive=positive, handle_n=500, handle_seconds=500 * 650,
    )  # fmt: skip


def test_each_cell_sets_the_last_complete_week_against_the_week_before(
    world, buyer_pm, login, tenth
) -> None:
    """On Tuesday 10 November the last complete week began on Monday 2 November: CSAT 90 %
    against 80 % the week before, ten points better; AHT unchanged."""
    chat_contract(world.harbor, contacts=3000, csat_positive=700)
    week_snapshot(world.harbor, date(2026, 11, 2), positive=180)
    week_snapshot(world.harbor, date(2026, 10, 26), positive=160)
    week_snapshot(world.harbor, date(2026, 11, 9), positive=20)  # the week in progress
    response = login(buyer_pm).get(reverse("home:home"))
    grid = response.context["grid"]
    assert grid.week.start == date(2026, 11, 2)
    (row,) = grid.rows
    cells = {cell.kpi: cell for cell in row.cells if cell}
    assert cells["csat"].week.delta == Decimal("0.100")
    assert cells["csat"].week.improved is True
    assert cells["aht"].week.improved is None
    page = response.content.decode()
    assert "↑ better, +10.0 pp" in page
    assert "= unchanged" in page


def test_a_move_that_rounds_to_nothing_is_no_move(world) -> None:
    from kpis.domain import Kpi, KpiValue

    moved = landing.shown_change(
        KpiValue(Kpi.CSAT, Decimal("0.80004"), 100), KpiValue(Kpi.CSAT, Decimal("0.8"), 100)
    )
    assert moved == 0


# WHAT NEEDS THE PROGRAM MANAGER
# ------------------------------------------------------------------------------


@pytest.fixture
def busy(world, buyer_pm, buyer_reviewer, partner_lead, other_partner_lead, tenth):
    """Sessions due on the 12th (two reviewers, one submitted), the 20th (too far ahead) and
    the 5th (overdue); one revealed on the 3rd. Outcome items due the 9th (overdue) and the
    12th; QBR actions due the 1st (overdue) and done on the 2nd. Exit criteria at 1 of 2
    quarters (near), 1 of 3 (not yet) and met."""
    rubric = make_rubric(buyer_pm)
    reviewers = [(buyer_reviewer, "buyer"), (partner_lead, "partner")]
    soon = make_session(buyer_pm, world.harbor, rubric, reviewers, due=date(2026, 11, 12))
    soon.reviewers.filter(user=buyer_reviewer).update(submitted_at=soon.created_at)
    make_session(buyer_pm, world.harbor, rubric, reviewers, due=date(2026, 11, 20))
    pacific_reviewers = [(buyer_reviewer, "buyer"), (other_partner_lead, "partner")]
    late = make_session(buyer_pm, world.pacific, rubric, pacific_reviewers, due=date(2026, 11, 5))
    done = make_session(buyer_pm, world.harbor, rubric, reviewers, due=date(2026, 11, 3))
    CalibrationSession.objects.filter(pk=done.pk).update(status=SessionStatus.REVEALED)
    OutcomeItem.objects.create(
        session=done, kind="training", description="Coach the greeting", owner=partner_lead,
        due_date=date(2026, 11, 9),
    )  # fmt: skip
    OutcomeItem.objects.create(
        session=done, kind="training", description="Brief both teams", owner=partner_lead,
        due_date=date(2026, 11, 12),
    )  # fmt: skip
    review = QuarterlyReview.objects.create(
        account=world.account, partner=world.harbor, quarter_start=date(2026, 7, 1),
        opened_by=buyer_pm,
        opened_at=soon.created_at,
    )  # fmt: skip
    for description, due, status in (
        ("Staff the weekend queue", date(2026, 11, 1), "open"),
        ("Share the attrition plan", date(2026, 11, 2), "done"),
    ):
        ActionItem.objects.create(
            review=review, description=description, side=Side.PARTNER, owner=partner_lead,
            due_date=due, status=status, created_at=soon.created_at, updated_at=soon.created_at,
        )  # fmt: skip
    contract = make_contract(world.harbor, channels=("chat",))
    for periods, streak, met_on in ((2, 1, None), (3, 1, None), (2, 2, date(2026, 10, 1))):
        ExitCriterion.objects.create(
            contract=contract, kpi="csat", comparison="below", threshold=Decimal(80),
            period_type="quarter", periods=periods, streak=streak, met_on=met_on,
        )  # fmt: skip
    return {"soon": soon, "late": late}


def test_what_needs_the_program_manager_this_week(world, buyer_pm, busy) -> None:
    attention = landing.program_attention(viewer(buyer_pm), TENTH)
    assert [s.due_date.day for s in attention.sessions] == [5, 12]
    assert [(s.submitted_count, s.reviewer_count) for s in attention.sessions] == [(0, 2), (1, 2)]
    assert [i.description for i in attention.outcomes] == ["Coach the greeting"]
    assert [i.description for i in attention.actions] == ["Staff the weekend queue"]
    assert [(c.periods, c.streak) for c in attention.exits] == [(2, 2), (2, 1)]


def test_the_home_page_lists_it(world, buyer_pm, busy, login) -> None:
    page = login(buyer_pm).get(reverse("home:home")).content.decode()
    assert "Needs you this week" in page
    assert "1 of 2" in page
    assert "Coach the greeting" in page
    assert "Brief both teams" not in page
    assert "Staff the weekend queue" in page
    assert "1 of 2 quarters so far" in page
    assert "met on 1 Oct 2026" in page


def test_attention_costs_the_same_queries_whatever_its_length(
    world, buyer_pm, busy, partner_lead
) -> None:
    with CaptureQueriesContext(connection) as before:
        landing.program_attention(viewer(buyer_pm), TENTH)
    OutcomeItem.objects.create(
        session=busy["late"], kind="training", description="More", owner=partner_lead,
        due_date=date(2026, 11, 1),
    )  # fmt: skip
    with CaptureQueriesContext(connection) as after:
        assert len(landing.program_attention(viewer(buyer_pm), TENTH).outcomes) == 2
    assert len(after) == len(before)


def test_only_program_managers_get_the_mondays_page(world, buyer_exec, login, busy) -> None:
    page = login(buyer_exec).get(reverse("home:home")).content.decode()
    assert "Needs you this week" not in page


def test_another_accounts_sessions_and_items_stay_out(world, outsider_pm, busy) -> None:
    attention = landing.program_attention(viewer(outsider_pm), TENTH + timedelta(days=1))
    assert attention.empty


# THE QA REVIEWER'S ALIGNMENT
# ------------------------------------------------------------------------------


def revealed_session(buyer_pm, buyer_reviewer, partner_lead, world, due: date):
    """The hand-computed session of tests/calibration: 70 % agreement, the buyer's reviewer
    37.5 points below the partner's lead."""
    from calibration import services as calibration_services
    from tests.factories.calibration import answers

    rubric = make_rubric(buyer_pm, name=f"QA {due}")
    reviewers = [(buyer_reviewer, "buyer"), (partner_lead, "partner")]
    session = make_session(buyer_pm, world.harbor, rubric, reviewers, due=due)
    first, second = session.items.order_by("position")
    for user, sheets in (
        (buyer_reviewer, ((1, 4, 3, 1), (0, 2, 4, 0))),
        (partner_lead, ((1, 5, None, 1), (0, 2, 4, 1))),
    ):
        for item, values in zip((first, second), sheets, strict=True):
            calibration_services.score_save(
                viewer=viewer(user), session=session, item=item, values=answers(session, *values)
            )
        calibration_services.submit(viewer=viewer(user), session=session)
    return session


def test_a_reviewer_reads_their_own_agreement_and_bias(
    world, buyer_pm, buyer_reviewer, partner_lead, login
) -> None:
    revealed_session(buyer_pm, buyer_reviewer, partner_lead, world, date(2026, 11, 6))
    response = login(buyer_reviewer).get(reverse("home:home"))
    (seat,) = response.context["seats"]
    assert (seat.agreement, seat.bias) == (Decimal("0.7"), Decimal("-37.5"))
    page = response.content.decode()
    assert "Your alignment" in page
    assert "70.0 %" in page
    assert "−37.5" in page
    assert 'id="reviewer-trend"' in page
    assert "reviewer-trend" in response.context["charts"]


def test_a_session_still_blind_shows_no_figures(
    world, buyer_pm, buyer_reviewer, partner_lead, login
) -> None:
    rubric = make_rubric(buyer_pm)
    make_session(
        buyer_pm, world.harbor, rubric, [(buyer_reviewer, "buyer"), (partner_lead, "partner")]
    )
    response = login(buyer_reviewer).get(reverse("home:home"))
    assert response.context["seats"] == []
    assert "after your first debrief" in response.content.decode()


def test_the_reviewers_trend_costs_one_query_however_long(
    world, buyer_pm, buyer_reviewer, partner_lead
) -> None:
    from calibration.selectors import reviewer_trend

    revealed_session(buyer_pm, buyer_reviewer, partner_lead, world, date(2026, 11, 6))
    reviewer = viewer(buyer_reviewer)
    with CaptureQueriesContext(connection) as one:
        assert len(reviewer_trend(reviewer)) == 1
    revealed_session(buyer_pm, buyer_reviewer, partner_lead, world, date(2026, 11, 13))
    with CaptureQueriesContext(connection) as two:
        assert len(reviewer_trend(reviewer)) == 2
    assert len(one) == len(two) == 1


def test_a_partner_lead_sees_where_their_own_partner_stands(
    world, partner_lead, login, tenth
) -> None:
    """The grid on a partner's home holds that partner's KPIs only, without the buyer's
    approvals."""
    chat_contract(world.harbor, contacts=3000, csat_positive=700)
    chat_contract(world.pacific, contacts=6000, csat_positive=700)
    response = login(partner_lead).get(reverse("home:home"))
    assert [p for p, _ in response.context["grid"].partners] == [world.harbor]
    page = response.content.decode()
    assert "Where Harbor Support stands against its SLA" in page
    assert "Settlements waiting for approval" not in page
