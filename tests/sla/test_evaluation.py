"""Nightly evaluation against the database: a hand-worked settlement to the cent, freezing on
approval, carried adjustments, idempotency, remediation plans and exit criteria."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import StringIO
from unittest import mock

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from core.errors import DomainError
from partners.models import Membership
from partners.scoping import viewer_for_membership
from sla import evaluation, services
from sla.models import (
    BandStatus,
    ExitCriterion,
    PlanStatus,
    RemediationPlan,
    Settlement,
    SettlementLine,
    SettlementStatus,
)
from tests.factories.sla import govern_template, make_contract, make_sla, month_snapshot

D = Decimal
SEPTEMBER, OCTOBER, NOVEMBER = date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1)
EARLY_OCTOBER, EARLY_NOVEMBER = date(2026, 10, 5), date(2026, 11, 5)


@pytest.fixture
def pm_viewer(buyer_pm):
    return viewer_for_membership(Membership.objects.get(user=buyer_pm))


@pytest.fixture
def contract(world):
    """The CSAT template's bands (docs/domain.md, "SLA bands") on every channel, FCR bands
    and an AHT guardrail on voice; per contact at 3.85 USD; credits capped at 5 % of the
    invoice, bonuses at 5 %."""
    contract = make_contract(
        world.harbor, pricing_model="per_contact", rate=D("3.85"), credit_cap_pct=D(5)
    )
    sla = make_sla(contract)
    for channel in ("voice", "chat", "email", "social"):
        govern_template(sla, channel, "csat")
    govern_template(sla, "voice", "fcr")
    govern_template(sla, "voice", "aht-guardrail")
    return contract


def september_data(partner, voice_csat=(900, 639)):
    n, positive = voice_csat
    month_snapshot(partner, "voice", SEPTEMBER, contacts=10_000, csat_n=n,
                   csat_positive=positive, fcr_n=10_000, fcr_yes=6_000, handle_n=10_000,
                   handle_seconds=10_000 * 700)  # fmt: skip
    month_snapshot(partner, "chat", SEPTEMBER, contacts=12_000, csat_n=1_412, csat_positive=1_118)
    month_snapshot(partner, "email", SEPTEMBER, contacts=3_000, csat_n=400, csat_positive=360)
    month_snapshot(partner, "social", SEPTEMBER, contacts=1_001, csat_n=12, csat_positive=7)


def lines_of(settlement, basis="settled"):
    return {
        (line.channel, line.kpi): line
        for line in SettlementLine.objects.filter(settlement=settlement, basis=basis)
    }


def test_the_hand_worked_settlement_matches_to_the_cent(world, contract):
    september_data(world.harbor)
    evaluation.evaluate_contract_month(contract, SEPTEMBER, EARLY_OCTOBER)
    settlement = Settlement.objects.get(contract=contract, month=SEPTEMBER)

    # Invoices: contacts × 3.85.
    assert {c: D(v["amount"]) for c, v in settlement.invoices.items()} == {
        "voice": D("38500.00"), "email": D("11550.00"), "chat": D("46200.00"),
        "social": D("3853.85"),
    }  # fmt: skip
    assert settlement.invoice_total == D("100103.85")
    lines = lines_of(settlement)
    # Voice CSAT 71.0 % is a penalty: 10 % of the voice invoice. FCR 60 %: 5 %.
    assert lines["voice", "csat"].credit == D("3850.00")
    assert lines["voice", "fcr"].credit == D("1925.00")
    # The AHT guardrail opens a review and moves no money.
    assert lines["voice", "aht"].credit == 0
    assert lines["voice", "aht"].explanation == (
        "AHT voice 700 s (n=10,000) is in review (above 600 s): review opened, "
        "no credit (guardrail)"
    )
    assert lines["chat", "csat"].explanation == (
        "CSAT chat 79.2% (n=1,412) is in remediation (75% to below 82%): plan opened, no credit"
    )
    assert lines["chat", "csat"].value_text == "79.2%"
    # Email 90 %: bonus 5 % of 11,550.00.
    assert lines["email", "csat"].bonus == D("577.50")
    # Social: 12 answers are too few to decide; no money moves.
    assert lines["social", "csat"].decision == "insufficient"
    assert lines["social", "csat"].credit == lines["social", "csat"].bonus == 0
    assert "insufficient data, no money moves" in lines["social", "csat"].explanation
    # Credits of 5,775.00 are capped at 5 % of 100,103.85 = 5,005.1925 → 5,005.19.
    assert settlement.credit_gross == D("5775.00")
    assert settlement.credit_cap == D("5005.19")
    assert settlement.credit_total == D("5005.19")
    assert settlement.bonus_total == D("577.50")
    assert settlement.net == D("95676.16")
    assert (
        "Credits of 5,775.00 USD are capped at 5% of the invoice 100,103.85 USD: 5,005.19 USD."
        in (settlement.notes)
    )
    # Plans: voice CSAT (penalty), chat CSAT (remediation), voice FCR (penalty), AHT review.
    plans = RemediationPlan.objects.filter(partner=world.harbor, status=PlanStatus.OPEN)
    assert sorted(plans.values_list("channel", "kpi", "kind")) == [
        ("chat", "csat", "remediation"),
        ("voice", "aht", "review"),
        ("voice", "csat", "remediation"),
        ("voice", "fcr", "remediation"),
    ]


def test_values_exactly_on_a_bound_land_where_the_contract_puts_them(world, contract):
    # Voice AHT exactly 600 s: "600 s or less" is base, so no review opens (lower is
    # better). Chat CSAT exactly 82 %: "82% to below 88%" is base, no plan (higher is better).
    month_snapshot(world.harbor, "voice", SEPTEMBER, contacts=1_000, csat_n=1_000,
                   csat_positive=880, fcr_n=1_000, fcr_yes=850, handle_n=1_000,
                   handle_seconds=1_000 * 600)  # fmt: skip
    month_snapshot(world.harbor, "chat", SEPTEMBER, contacts=1_000, csat_n=500, csat_positive=410)
    evaluation.evaluate_contract_month(contract, SEPTEMBER, EARLY_OCTOBER)
    lines = lines_of(Settlement.objects.get(contract=contract, month=SEPTEMBER))
    assert lines["voice", "aht"].band_kind == "base"
    assert not lines["voice", "aht"].opens_plan
    assert lines["voice", "aht"].explanation.startswith(
        "AHT voice 600 s (n=1,000) is in base (600 s or less)"
    )
    assert lines["chat", "csat"].band_kind == "base"
    assert lines["voice", "csat"].band_kind == "bonus"  # exactly 88 %: "88% and above"
    assert lines["voice", "fcr"].band_kind == "bonus"  # exactly 85 %: "85% and above"
    assert lines["voice", "csat"].bonus == D("192.50")  # 5 % of 1,000 contacts × 3.85
    assert not RemediationPlan.objects.exists()


def test_a_value_rounding_onto_a_bound_is_explained_with_the_precision_that_decides(
    world, contract
):
    # 20,499 of 25,000: 81.996 %, remediation, which one decimal would show as 82.0 %.
    month_snapshot(world.harbor, "chat", SEPTEMBER, contacts=30_000, csat_n=25_000,
                   csat_positive=20_499)  # fmt: skip
    evaluation.evaluate_contract_month(contract, SEPTEMBER, EARLY_OCTOBER)
    line = lines_of(Settlement.objects.get(contract=contract))["chat", "csat"]
    assert line.band_kind == "remediation"
    assert line.value_text == "81.996%"
    assert line.explanation == (
        "CSAT chat 81.996%, below 82% (n=25,000) is in remediation (75% to below 82%): "
        "plan opened, no credit"
    )
    status = BandStatus.objects.get(channel="chat", kpi="csat", month=SEPTEMBER)
    assert status.value_text == "81.996%"
    assert status.explanation.startswith("CSAT chat 81.996%, below 82% (n=25,000)")


def test_one_minimum_sample_per_governed_kpi_holds_for_every_band(world, contract):
    chat = contract.slas.get().governed.get(channel="chat", kpi="csat")
    chat.min_sample = 2_000
    chat.save()
    # 1,412 answers: 79.2 % would be remediation, 90 % bonus; neither is decided.
    for positive, band in ((1_118, "remediation"), (1_271, "bonus")):
        month_snapshot(world.harbor, "chat", SEPTEMBER, contacts=12_000, csat_n=1_412,
                       csat_positive=positive)  # fmt: skip
        evaluation.evaluate_contract_month(contract, SEPTEMBER, EARLY_OCTOBER)
        line = lines_of(Settlement.objects.get(contract=contract))["chat", "csat"]
        assert (line.band_kind, line.decision) == (band, "insufficient")
        assert (line.credit, line.bonus, line.opens_plan, line.at_risk) == (0, 0, False, False)
        assert "but a decision needs n≥2,000: insufficient data" in line.explanation
    # The other channels keep theirs: 400 email answers at 90 % earn the bonus.
    month_snapshot(world.harbor, "email", SEPTEMBER, contacts=3_000, csat_n=400, csat_positive=360)
    evaluation.evaluate_contract_month(contract, SEPTEMBER, EARLY_OCTOBER)
    assert lines_of(Settlement.objects.get(contract=contract))["email", "csat"].bonus == D("577.50")


def test_an_approved_month_is_frozen_and_late_data_becomes_a_carried_adjustment(
    world, contract, pm_viewer
):
    september_data(world.harbor)
    evaluation.evaluate_contract_month(contract, SEPTEMBER, EARLY_OCTOBER)
    settlement = Settlement.objects.get(contract=contract, month=SEPTEMBER)
    services.settlement_approve(viewer=pm_viewer, settlement=settlement, today=EARLY_OCTOBER)

    # Late survey answers lift voice CSAT to 76.0 %: remediation, no credit any more.
    september_data(world.harbor, voice_csat=(1_000, 760))
    evaluation.evaluate_contract_month(contract, SEPTEMBER, EARLY_NOVEMBER)
    settlement.refresh_from_db()
    assert settlement.status == SettlementStatus.APPROVED
    assert settlement.approved_by_label
    assert settlement.approved_at
    assert settlement.net == D("95676.16")  # frozen
    assert lines_of(settlement)["voice", "csat"].credit == D("3850.00")
    # The data now says: credits 1,925.00 (under the cap), net 98,756.35.
    assert lines_of(settlement, "latest")["voice", "csat"].credit == 0
    assert settlement.latest_net == D("98756.35")
    assert settlement.adjustment == D("3080.19")

    # October carries it: voice only, CSAT 90 % (bonus 5 % = the 5 % bonus cap).
    month_snapshot(
        world.harbor, "voice", OCTOBER, contacts=5_000, csat_n=600, csat_positive=540,
        fcr_n=5_000, fcr_yes=3_750, handle_n=5_000, handle_seconds=5_000 * 500,
    )  # fmt: skip
    evaluation.evaluate_contract_month(contract, OCTOBER, EARLY_NOVEMBER)
    october = Settlement.objects.get(contract=contract, month=OCTOBER)
    assert october.invoice_total == D("19250.00")
    assert october.bonus_total == D("962.50")
    assert october.carried == D("3080.19")
    assert october.net == D("23292.69")
    assert list(october.carried_in.values_list("source__month", "amount")) == [
        (SEPTEMBER, D("3080.19"))
    ]
    # Approving October settles the carried amount: nothing is carried twice.
    services.settlement_approve(viewer=pm_viewer, settlement=october, today=EARLY_NOVEMBER)
    evaluation.evaluate_contract_month(contract, NOVEMBER, date(2026, 11, 20))
    assert Settlement.objects.get(contract=contract, month=NOVEMBER).carried == 0


def test_running_twice_changes_nothing(world, contract):
    september_data(world.harbor)
    evaluation.evaluate_contract_month(contract, SEPTEMBER, EARLY_OCTOBER)
    before = {
        "settlement": list(Settlement.objects.values()),
        "lines": list(SettlementLine.objects.values()),
        "statuses": list(BandStatus.objects.values()),
        "plans": list(RemediationPlan.objects.values()),
    }
    outcome = evaluation.evaluate_contract_month(contract, SEPTEMBER, EARLY_OCTOBER)
    assert outcome == evaluation.Outcome()
    assert before == {
        "settlement": list(Settlement.objects.values()),
        "lines": list(SettlementLine.objects.values()),
        "statuses": list(BandStatus.objects.values()),
        "plans": list(RemediationPlan.objects.values()),
    }


def test_a_crash_leaves_the_previous_result_intact(world, contract):
    september_data(world.harbor)
    evaluation.evaluate_contract_month(contract, SEPTEMBER, EARLY_OCTOBER)
    net = Settlement.objects.get().net
    september_data(world.harbor, voice_csat=(1_000, 900))
    with (
        mock.patch("sla.evaluation.months.open_plans", side_effect=RuntimeError("worker lost")),
        pytest.raises(RuntimeError),
    ):
        evaluation.evaluate_contract_month(contract, SEPTEMBER, EARLY_OCTOBER)
    assert Settlement.objects.get().net == net
    assert lines_of(Settlement.objects.get())["voice", "csat"].credit == D("3850.00")


def test_a_plan_opens_once_and_closes_after_the_months_at_sla(world, contract):
    september_data(world.harbor)
    evaluation.evaluate_contract_month(contract, SEPTEMBER, EARLY_OCTOBER)
    evaluation.evaluate_contract_month(contract, SEPTEMBER, date(2026, 10, 6))
    assert RemediationPlan.objects.filter(kpi="csat", channel="chat").count() == 1
    plan = RemediationPlan.objects.get(kpi="csat", channel="chat")
    assert plan.due_date == date(2026, 11, 4)  # 30 days after it opened
    for month, today in ((OCTOBER, EARLY_NOVEMBER), (NOVEMBER, date(2026, 12, 3))):
        month_snapshot(world.harbor, "chat", month, contacts=9_000, csat_n=1_000, csat_positive=860)
        evaluation.evaluate_contract_month(contract, month, today)
        plan.refresh_from_db()
    assert plan.status == PlanStatus.CLOSED
    assert plan.months_at_sla == 2
    assert plan.closed_reason == "At SLA for 2 consecutive months."


def test_the_current_month_is_projected_and_warns_before_month_end(world, contract):
    month_snapshot(world.harbor, "chat", NOVEMBER, contacts=4_000, csat_n=700, csat_positive=540)
    evaluation.evaluate_contract_month(contract, NOVEMBER, date(2026, 11, 10))
    status = BandStatus.objects.get(channel="chat", kpi="csat", month=NOVEMBER)
    assert not status.month_complete
    assert status.heading == "remediation"
    assert status.projected_low < status.projected_value < status.projected_high
    assert status.explanation.startswith("Month to date: CSAT chat 77.1% (n=700)")
    # No plan opens before the month is over.
    assert not RemediationPlan.objects.exists()


def test_an_exit_criterion_is_tracked_met_and_notified(world, contract, buyer_pm):
    criterion = ExitCriterion.objects.create(
        contract=contract, kpi="csat", channel="chat", comparison="below", threshold=D(80),
        period_type="month", periods=2, despite_remediation=True,
    )  # fmt: skip
    september_data(world.harbor)  # chat CSAT 79.2 %: a plan opens
    evaluation.evaluate_contract_month(contract, SEPTEMBER, EARLY_OCTOBER)
    evaluation.exit_criteria_check(partner_id=world.harbor.pk, today=EARLY_OCTOBER)
    criterion.refresh_from_db()
    assert (criterion.streak, criterion.met_on) == (1, None)
    month_snapshot(world.harbor, "chat", OCTOBER, contacts=9_000, csat_n=1_000, csat_positive=700)
    assert evaluation.exit_criteria_check(partner_id=world.harbor.pk, today=EARLY_NOVEMBER) == 1
    criterion.refresh_from_db()
    assert criterion.streak == 2
    assert criterion.met_on == EARLY_NOVEMBER
    assert criterion.earliest_exit_date == date(2026, 12, 20)  # 45 days' notice
    assert criterion.notified_at is not None
    assert mail.outbox[-1].to == [buyer_pm.email]
    assert "earliest exit date is 20 December 2026" in mail.outbox[-1].body
    # Met once: the next night neither re-dates nor re-sends it.
    assert evaluation.exit_criteria_check(partner_id=world.harbor.pk, today=date(2026, 11, 6)) == 0


def test_recompute_sla_command(world, contract):
    september_data(world.harbor)
    out = StringIO()
    call_command(
        "recompute_sla", account="northwind", partner="harbor support", period="2026-09", stdout=out
    )
    assert "1 contract-month(s) evaluated" in out.getvalue()
    assert Settlement.objects.get().net == D("95676.16")
    with pytest.raises(CommandError, match="not a period"):
        call_command("recompute_sla", account="northwind", partner="harbor support", period="Sept")
    with pytest.raises(CommandError, match="has no partner"):
        call_command("recompute_sla", account="northwind", partner="nobody", period="2026-09")
    with pytest.raises(CommandError, match="no contract covering"):
        call_command("recompute_sla", account="northwind", partner="Quetzal Contact",
                     period="2026-09")  # fmt: skip


def test_the_nightly_task_evaluates_every_partner_under_contract(world, contract, today):
    from sla.tasks import sla_evaluate_open_months_task

    month_snapshot(world.harbor, "chat", evaluation.month_of(today).start, contacts=100,
                   csat_n=50, csat_positive=45)  # fmt: skip
    assert sla_evaluate_open_months_task.delay().get() == 1
    assert Settlement.objects.filter(contract=contract).count() == 2
    assert BandStatus.objects.filter(month=evaluation.month_of(today).start).exists()


def test_approving_is_for_program_managers_and_complete_months(
    world, contract, partner_lead, pm_viewer
):
    september_data(world.harbor)
    evaluation.evaluate_contract_month(contract, SEPTEMBER, date(2026, 9, 20))
    settlement = Settlement.objects.get()
    lead = viewer_for_membership(Membership.objects.get(user=partner_lead))
    with pytest.raises(DomainError, match="program managers"):
        services.settlement_approve(viewer=lead, settlement=settlement, today=EARLY_OCTOBER)
    with pytest.raises(DomainError, match="not over yet"):
        services.settlement_approve(
            viewer=pm_viewer, settlement=settlement, today=date(2026, 9, 30)
        )
    services.settlement_approve(viewer=pm_viewer, settlement=settlement, today=EARLY_OCTOBER)
    with pytest.raises(DomainError, match="already approved"):
        services.settlement_approve(viewer=pm_viewer, settlement=settlement, today=EARLY_OCTOBER)


def test_recomputing_is_a_program_managers_write_on_a_month_that_has_started(
    world, contract, partner_lead, outsider_pm, pm_viewer
):
    september_data(world.harbor)
    evaluation.evaluate_contract_month(contract, SEPTEMBER, date(2026, 9, 20))
    settlement = Settlement.objects.get()
    lead = viewer_for_membership(Membership.objects.get(user=partner_lead))
    with pytest.raises(DomainError, match="Only program managers") as refused:
        services.settlement_recompute(viewer=lead, settlement=settlement, today=EARLY_OCTOBER)
    assert refused.value.code == "permission_denied"
    outsider = viewer_for_membership(Membership.objects.get(user=outsider_pm))
    with pytest.raises(DomainError) as hidden:
        services.settlement_recompute(viewer=outsider, settlement=settlement, today=EARLY_OCTOBER)
    assert hidden.value.code == "not_found"
    with pytest.raises(DomainError, match="September 2026 has not started yet") as early:
        services.settlement_recompute(
            viewer=pm_viewer, settlement=settlement, today=date(2026, 8, 31)
        )
    assert early.value.code == "month_not_started"
    assert not RemediationPlan.objects.exists()


def test_recomputing_says_what_changed(world, contract, pm_viewer):
    september_data(world.harbor)
    evaluation.evaluate_contract_month(contract, SEPTEMBER, date(2026, 9, 20))
    settlement = Settlement.objects.get()
    # The month is over now: the plans its bands ask for open.
    done = services.settlement_recompute(
        viewer=pm_viewer, settlement=settlement, today=EARLY_OCTOBER
    )
    opened = RemediationPlan.objects.count()
    assert opened > 0
    assert done.outcome.plans_opened == opened
    assert done.message.endswith(f" Remediation plans opened: {opened}, closed: 0.")
    again = services.settlement_recompute(
        viewer=pm_viewer, settlement=settlement, today=EARLY_OCTOBER
    )
    assert again.message == "Recomputed on the latest data: nothing changed."
    # An approved month stays frozen: late data changes its pending adjustment.
    approved = services.settlement_approve(
        viewer=pm_viewer, settlement=settlement, today=EARLY_OCTOBER
    )
    same = services.settlement_recompute(viewer=pm_viewer, settlement=approved, today=EARLY_OCTOBER)
    assert same.message == "Recomputed on the latest data: the pending adjustment is unchanged."
    september_data(world.harbor, voice_csat=(1_000, 900))
    late = services.settlement_recompute(viewer=pm_viewer, settlement=approved, today=EARLY_OCTOBER)
    assert late.message == "Recomputed on the latest data: the pending adjustment changed."
    assert Settlement.objects.get().adjustment != 0
