"""Reading the engagement: scope discipline in the scope's time zone, forecast against
actual, expansion gates from band statuses and calibration, cost per resolved contact
(worked by hand), the pricing what-if, the in-house baseline and the selection comparison."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from calibration.models import CalibrationSession, SessionKind, SessionStatus
from core import clock
from engagements import domain, selectors, services
from engagements.models import BaselineSource
from engagements.services import BaselineInput, LineInput, ScopeInput, ScoreInput
from kpis.models import Interaction
from partners.models import Partner
from sla.domain import PricingModel
from sla.models import BandStatus, Settlement
from tests.factories.calibration import make_rubric, viewer_of
from tests.factories.engagements import bid, line
from tests.factories.partners import PartnerFactory
from tests.factories.sla import govern_template, make_contract, make_sla, month_snapshot, volume

D = Decimal
TODAY = date(2026, 11, 10)  # a Tuesday: October is the last complete month
OCT, SEP, AUG, JUL = date(2026, 10, 1), date(2026, 9, 1), date(2026, 8, 1), date(2026, 7, 1)


@pytest.fixture
def pm(buyer_pm):
    return viewer_of(buyer_pm)


@pytest.fixture
def types(pm):
    return {t.code: t for t in services.standard_types_ensure(viewer=pm)}


def save_scope(pm, partner, types, **overrides):
    """3,000 contacts a month on chat: 2,000 order-status, 1,000 billing; business hours."""
    fields = {
        "monthly_volume": 3000,
        "first_month": date(2026, 1, 1),
        "lines": [
            LineInput("chat", types["order-status"], 2000),
            LineInput("chat", types["billing"], 1000),
        ],
        "shifts": ["business_hours"],
    }
    fields.update(overrides)
    return selectors.current_scope(
        pm, services.scope_save(viewer=pm, partner=partner, data=ScopeInput(**fields)).partner
    )


def contact(partner, kind, opened_at: datetime, channel: str = "chat", n: int = 0) -> Interaction:
    agent = partner.agents.first()
    return Interaction.objects.create(
        partner=partner,
        agent=agent,
        channel=channel,
        interaction_type=kind,
        external_id=f"T-{opened_at:%Y%m%d%H%M}-{channel}-{kind.code}-{n}",
        opened_at=opened_at,
    )


# SCOPE
# ------------------------------------------------------------------------------


def test_current_scope_and_versions(pm, world, types):
    save_scope(pm, world.harbor, types)
    latest = save_scope(
        pm, world.harbor, types, note="Weekend added", shifts=["business_hours", "weekend"]
    )
    assert latest.version == 2
    assert [(v.version, v.line_count) for v in selectors.scope_versions(pm, world.harbor)] == [
        (2, 2),
        (1, 2),
    ]
    assert selectors.current_scope(pm, world.pacific) is None


def test_a_partner_side_viewer_sees_only_its_own_partners_scope(pm, world, types, partner_lead):
    save_scope(pm, world.harbor, types)
    save_scope(pm, world.pacific, types)
    lead = viewer_of(partner_lead)
    assert selectors.current_scope(lead, world.harbor) is not None
    assert selectors.current_scope(lead, world.pacific) is None


# SCOPE DISCIPLINE
# ------------------------------------------------------------------------------

MONDAY = date(2026, 11, 2)


@pytest.mark.parametrize(("zone", "in_scope"), [("UTC", 0), ("Asia/Kolkata", 1)])
def test_discipline_reads_hours_in_the_scopes_time_zone(pm, world, types, zone, in_scope):
    """07:30 UTC on a Monday is after hours in UTC, and 13:00 in Asia/Kolkata (+05:30):
    business hours there."""
    version = save_scope(pm, world.harbor, types, timezone=zone)
    contact(world.harbor, types["order-status"], datetime(2026, 11, 2, 7, 30, tzinfo=UTC))
    found = selectors.discipline(pm, world.harbor, version, MONDAY, MONDAY)
    assert (found.contacts, found.in_scope) == (1, in_scope)
    if not in_scope:
        (out,) = found.out_of_scope
        assert (out.shift, out.reason) == (domain.Shift.AFTER_HOURS, domain.OutOfScopeReason.SHIFT)


def test_discipline_lists_out_of_scope_work(pm, world, types):
    version = save_scope(
        pm,
        world.harbor,
        types,
        lines=[
            LineInput("chat", types["order-status"], 3000),
            LineInput("chat", types["billing"], 0),
        ],  # in the mix without volume: not scoped
    )
    at = datetime(2026, 11, 3, 10, 0, tzinfo=UTC)  # a Tuesday, 10:00
    for n in range(6):
        contact(world.harbor, types["order-status"], at, n=n)
    contact(world.harbor, types["billing"], at)
    contact(world.harbor, types["order-status"], at, channel="email")
    contact(world.harbor, types["order-status"], datetime(2026, 11, 7, 10, tzinfo=UTC))  # Sat
    contact(world.harbor, types["order-status"], datetime(2026, 11, 10, 10, tzinfo=UTC))  # late
    found = selectors.discipline(pm, world.harbor, version, MONDAY, date(2026, 11, 9))
    assert (found.contacts, found.in_scope, found.share) == (9, 6, D("0.667"))
    assert {(o.channel, o.type_code, o.reason) for o in found.out_of_scope} == {
        ("chat", "billing", domain.OutOfScopeReason.TYPE),
        ("email", "order-status", domain.OutOfScopeReason.CHANNEL),
        ("chat", "order-status", domain.OutOfScopeReason.SHIFT),
    }


def test_recent_discipline_covers_the_four_weeks_before_today(pm, world, types):
    version = save_scope(pm, world.harbor, types, shifts=["24_7"])
    found, start, end = selectors.recent_discipline(pm, world.harbor, version, TODAY)
    assert (start, end) == (date(2026, 10, 13), date(2026, 11, 9))
    contact(world.harbor, types["order-status"], datetime(2026, 10, 13, 0, 5, tzinfo=UTC))
    contact(world.harbor, types["order-status"], datetime(2026, 10, 12, 23, 55, tzinfo=UTC))
    contact(world.harbor, types["order-status"], datetime(2026, 11, 10, 9, tzinfo=UTC))
    found, _, _ = selectors.recent_discipline(pm, world.harbor, version, TODAY)
    assert (found.contacts, found.share, found.healthy) == (1, D("1.000"), True)


# FORECAST AGAINST ACTUAL
# ------------------------------------------------------------------------------


def test_forecast_vs_actual_rows(pm, world, types):
    version = save_scope(pm, world.harbor, types, months={OCT: 4500})
    month_snapshot(world.harbor, "chat", SEP, contacts=2800)
    month_snapshot(world.harbor, "chat", OCT, contacts=3800)
    month_snapshot(world.harbor, "email", OCT, contacts=200)
    at = datetime(2026, 10, 14, 10, tzinfo=UTC)
    for n in range(3):
        contact(world.harbor, types["order-status"], at, n=n)
    contact(world.harbor, types["billing"], at, channel="email")
    found = selectors.forecast_vs_actual(pm, world.harbor, version, TODAY, months=3)
    assert [(r.month, r.forecast, r.actual, r.gap) for r in found.months] == [
        (AUG, 3000, None, None),
        (SEP, 3000, 2800, D("-0.067")),  # 200 short of 3,000
        (OCT, 4500, 4000, D("-0.111")),  # 500 short of 4,500
    ]
    october = found.months[-1]
    assert october.forecast_by_channel == {"chat": 4500}
    assert october.actual_by_channel == {"chat": 3800, "email": 200}
    assert found.forecast_peak_to_trough == D("1.50")  # 4,500 / 3,000
    assert found.actual_peak_to_trough == D("1.43")  # 4,000 / 2,800
    assert not found.outsourcing_case
    assert found.by_type_month == OCT
    # October's 4,500 spread like the mix: 3,000 order-status and 1,500 billing on chat.
    assert [(r.channel, r.type_code, r.forecast, r.actual) for r in found.by_type] == [
        ("email", "billing", 0, 1),
        ("chat", "order-status", 3000, 3),
        ("chat", "billing", 1500, 0),
    ]


def test_a_seasonal_forecast_makes_the_outsourcing_case(pm, world, types):
    version = save_scope(pm, world.harbor, types, months={OCT: 5400, SEP: 3000})
    found = selectors.forecast_vs_actual(pm, world.harbor, version, TODAY, months=3)
    assert found.forecast_peak_to_trough == D("1.80")
    assert found.actual_peak_to_trough is None
    assert found.outsourcing_case
    assert found.by_type == []
    assert found.by_type_month is None


# GATES
# ------------------------------------------------------------------------------


def band_status(governed, month: date, kind: str, *, decided=True, complete=True) -> BandStatus:
    return BandStatus.objects.create(
        governed=governed,
        partner=governed.sla.contract.partner,
        channel=governed.channel,
        kpi=governed.kpi,
        month=month,
        band_kind=kind,
        decision="decided" if decided else "insufficient",
        month_complete=complete,
        explanation=f"{governed.kpi} {kind}",
        computed_at=clock.now(),
    )


def calibration(partner, version, revealed: date, agreement: str | None) -> CalibrationSession:
    due = revealed - timedelta(days=1)
    return CalibrationSession.objects.create(
        partner=partner,
        version=version,
        kind=SessionKind.CADENCE,
        due_date=due,
        period_start=due - timedelta(days=28),
        period_end=due - timedelta(days=1),
        status=SessionStatus.REVEALED,
        revealed_at=datetime.combine(revealed, datetime.min.time(), tzinfo=UTC),
        agreement=D(agreement) if agreement else None,
    )


@pytest.fixture
def governed(world):
    sla = make_sla(make_contract(world.harbor))
    return {k: govern_template(sla, "chat", k) for k in ("csat", "fcr")}


def test_gate_for_reads_band_statuses_and_calibration(pm, world, governed, buyer_pm):
    band_status(governed["csat"], OCT, "base")
    band_status(governed["fcr"], OCT, "bonus")
    band_status(governed["csat"], SEP, "penalty")
    band_status(governed["fcr"], SEP, "remediation", decided=False)  # not decided: ignored
    band_status(governed["csat"], date(2026, 11, 1), "penalty", complete=False)  # open month
    band_status(governed["csat"], AUG, "base")
    version = make_rubric(buyer_pm).versions.get()
    calibration(world.harbor, version, date(2026, 9, 20), "0.80")
    calibration(world.harbor, version, date(2026, 10, 20), "0.90")
    calibration(world.harbor, version, date(2026, 8, 20), "0.20")  # before the gate's months
    calibration(world.harbor, version, date(2026, 10, 27), None)  # not measured
    gate = selectors.gate_for(pm, world.harbor, TODAY, months=2, threshold_pct=D(85))
    assert [(m.label, m.at_sla, m.below) for m in gate.months] == [
        ("October 2026", True, ()),
        ("September 2026", False, ("CSAT chat",)),
    ]
    assert gate.alignment == D("0.8500")  # (0.80 + 0.90) / 2
    assert gate.alignment_ok
    assert gate.reasons == ("September 2026: below base on CSAT chat.",)
    one = selectors.gate_for(pm, world.harbor, TODAY, months=1, threshold_pct=D(90))
    assert one.reasons == ()  # October at SLA; October's alignment 0.90
    assert one.green


def test_a_gate_without_history_is_red(pm, world, governed):
    band_status(governed["csat"], OCT, "base", decided=False)
    gate = selectors.gate_for(pm, world.harbor, TODAY, months=2, threshold_pct=D(85))
    # Each of the last two complete months counts, whether or not it has SLA results.
    assert gate.reasons == (
        "October 2026: no governed KPI was decided.",
        "September 2026: no governed KPI was decided.",
        "No calibration alignment measured yet.",
    )


def test_stages_and_next_step(pm, world, types):
    assert selectors.next_step(selectors.stages(pm, world.harbor)).kind is domain.StageKind.PILOT
    services.stage_start(
        viewer=pm,
        partner=world.harbor,
        data=services.StageInput(
            "pilot", date(2026, 1, 5), channels=["chat"], interaction_types=[types["order-status"]]
        ),
    )
    found = selectors.stages(pm, world.harbor)
    assert [s.kind for s in found] == ["pilot"]
    assert selectors.next_step(found).expansion is domain.Expansion.INTERACTION_TYPE


# COST PER RESOLVED CONTACT
# ------------------------------------------------------------------------------


def settlement(contract, month: date, **amounts: str) -> Settlement:
    invoices = {ch: {"amount": a, "explanation": "", "missing": ""} for ch, a in amounts.items()}
    total = sum((D(a) for a in amounts.values()), D(0))
    return Settlement.objects.create(
        contract=contract,
        partner=contract.partner,
        month=month,
        currency=contract.currency,
        invoices=invoices,
        invoice_total=total,
        net=total,
        computed_at=clock.now(),
    )


def test_costs_for_a_hand_computed_month(pm, world, types):
    """October, worked by hand.

    Invoiced: chat 10,000.00 and email 5,000.00. The contract's loaded components (WFM 4 %,
    QA 3 %, team leads 5 %) add 12 %: chat 11,200.00, email 5,600.00, 16,800.00 in all.
    Governance: 1.5 FTE × 9,500.00 = 14,250.00, split by contacts 3,000 : 1,000 →
    chat 14,250 × 3/4 = 10,687.50, email 3,562.50.
    Resolved (first-contact resolutions): chat 2,400, email 750.
    Chat: (11,200.00 + 10,687.50) / 2,400 = 21,887.50 / 2,400 = 9.1198 → 9.12.
    Email: (5,600.00 + 3,562.50) / 750 = 9,162.50 / 750 = 12.2167 → 12.22.
    Month: (16,800.00 + 14,250.00) / 3,150 = 31,050.00 / 3,150 = 9.857 → 9.86.
    In-house chat: 7.50 per contact at 75 % FCR = 10.00 per resolved contact.
    """
    save_scope(
        pm,
        world.harbor,
        types,
        governance_fte=D("1.5"),
        governance_fte_cost=D("9500.00"),
        baselines=[BaselineInput("chat", fcr_pct=D(75), cost_per_contact=D("7.50"))],
    )
    contract = make_contract(world.harbor, wfm_pct=D(4), qa_pct=D(3), team_leads_pct=D(5))
    settlement(contract, OCT, chat="10000.00", email="5000.00")
    settlement(contract, SEP, chat="9000.00")
    month_snapshot(world.harbor, "chat", OCT, contacts=3000, fcr_n=3000, fcr_yes=2400)
    month_snapshot(world.harbor, "email", OCT, contacts=1000, fcr_n=1000, fcr_yes=750)
    view = selectors.costs(pm, world.harbor, TODAY, months=6)
    assert view.months == [date(2026, m, 1) for m in range(5, 11)]
    assert view.channels == ["email", "chat"]
    chat, email = view.cells[("chat", OCT)], view.cells[("email", OCT)]
    assert (chat.headline, chat.loaded, chat.governance, chat.resolved) == (
        D("10000.00"),
        D("11200.00"),
        D("10687.50"),
        2400,
    )
    assert chat.per_resolved == D("9.12")
    assert (email.loaded, email.governance, email.per_resolved) == (
        D("5600.00"),
        D("3562.50"),
        D("12.22"),
    )
    october = view.totals[OCT]
    assert (october.loaded, october.governance, october.total) == (
        D("16800.00"),
        D("14250.00"),
        D("31050.00"),
    )
    assert october.per_resolved == D("9.86")
    assert view.latest == october
    # September had an invoice but no KPI snapshot: no resolutions to divide by.
    assert view.totals[SEP].per_resolved is None
    assert view.in_house == {"chat": D("10.00")}
    assert view.in_house_overall == D("10.00")
    assert view.money(october.per_resolved) == "9.86 USD"
    assert view.governance_monthly == D("14250.00")


def test_costs_without_settlements_are_empty(pm, world):
    view = selectors.costs(pm, world.harbor, TODAY)
    assert view.latest is None
    assert view.currency is None
    assert view.money(D(1)) == "—"


# WHAT-IF PRICING
# ------------------------------------------------------------------------------


def test_what_if_per_resolved_is_cheaper_when_fcr_is_below_the_baseline(pm, world, types):
    """The third quarter: invoiced 3 × 4,000.00 = 12,000.00 per contact (4.00 × 1,000 a
    month). The scope forecast 1,000 a month (3,000) at the in-house FCR of 80 %: 2,400
    resolved expected. The partner handled 3,000 but resolved only 1,800 (60 %).

    Per contact: 12,000 / 3,000 = 4.00 → 3,000 × 4.00 = 12,000.00, no difference.
    Per resolved: 12,000 / 2,400 = 5.00 → 1,800 × 5.00 = 9,000.00, 3,000.00 cheaper.
    Hybrid: 3.20 a contact (80 % of 4.00) + 1.00 a resolution (20 % of 5.00) →
    9,600.00 + 1,800.00 = 11,400.00, 600.00 cheaper.
    Per hour and per FTE: no hours entered, nothing to price on.
    """
    save_scope(
        pm,
        world.harbor,
        types,
        monthly_volume=1000,
        lines=[LineInput("chat", types["order-status"], 1000)],
        baselines=[BaselineInput("chat", fcr_pct=D(80))],
    )
    contract = make_contract(world.harbor)  # per contact, 4.00
    for month in (JUL, AUG, SEP):
        settlement(contract, month, chat="4000.00")
        month_snapshot(world.harbor, "chat", month, contacts=1000, fcr_n=1000, fcr_yes=600)
    found = selectors.what_if(pm, world.harbor, TODAY)
    assert found.quarter.start == JUL
    assert found.actual_cost == D("12000.00")
    assert (found.actual.contacts, found.actual.resolved) == (3000, 1800)
    assert (found.expected.contacts, found.expected.resolved) == (3000, 2400)
    assert found.expected_fcr_pct == D("80.0")
    rows = {r.model: r for r in found.rows}
    assert (rows[PricingModel.PER_CONTACT].amount, rows[PricingModel.PER_CONTACT].difference) == (
        D("12000.00"),
        D("0.00"),
    )
    assert rows[PricingModel.PER_CONTACT].current
    assert rows[PricingModel.PER_RESOLVED].amount == D("9000.00")
    assert rows[PricingModel.PER_RESOLVED].difference == D("-3000.00")
    assert rows[PricingModel.HYBRID].amount == D("11400.00")
    assert rows[PricingModel.HYBRID].rate_text == "chat 3.2000 USD/contact + 1.0000 USD/resolved"
    assert rows[PricingModel.PER_HOUR].amount is None
    assert rows[PricingModel.PER_HOUR].rate_text == "no volume to price on"
    assert not rows[PricingModel.PER_RESOLVED].current


def test_what_if_prices_entered_hours(pm, world, types):
    save_scope(
        pm,
        world.harbor,
        types,
        monthly_volume=1000,
        lines=[LineInput("chat", types["order-status"], 1000)],
    )
    contract = make_contract(world.harbor, pricing_model="per_hour", rate=D("20.00"))
    for month in (JUL, AUG, SEP):
        settlement(contract, month, chat="2000.00")
        volume(contract, "chat", month, hours=D(100))
        month_snapshot(world.harbor, "chat", month, contacts=1000, fcr_n=1000, fcr_yes=750)
    rows = {r.model: r for r in selectors.what_if(pm, world.harbor, TODAY).rows}
    assert rows[PricingModel.PER_HOUR].amount == D("6000.00")  # 300 h × 20.00
    assert rows[PricingModel.PER_HOUR].difference == D("0.00")
    assert rows[PricingModel.PER_HOUR].current


def test_no_what_if_without_a_scope_or_settlements(pm, world, types):
    assert selectors.what_if(pm, world.harbor, TODAY) is None
    save_scope(pm, world.harbor, types)
    assert selectors.what_if(pm, world.harbor, TODAY) is None


# IN-HOUSE BASELINE
# ------------------------------------------------------------------------------


def test_in_house_baseline_from_the_in_house_teams_snapshots(pm, world):
    in_house = PartnerFactory(account=world.account, name="Northwind in-house", in_house=True)
    for month, fcr_yes, positive in ((AUG, 740, 170), (SEP, 760, 174), (OCT, 780, 178)):
        month_snapshot(
            in_house,
            "chat",
            month,
            contacts=1000,
            fcr_n=1000,
            fcr_yes=fcr_yes,
            csat_n=200,
            csat_positive=positive,
            handle_n=1000,
            handle_seconds=540_000,
            frt_n=1000,
            frt_seconds=61_000,
        )
    month_snapshot(in_house, "voice", JUL, contacts=500, fcr_n=500, fcr_yes=100)  # too old
    month_snapshot(in_house, "email", OCT, contacts=0)  # no contacts: no baseline
    (chat,) = selectors.in_house_baseline(pm, in_house, TODAY)
    # FCR 2,280 / 3,000 = 76 %; CSAT 522 / 600 = 87 %; AHT 1,620,000 s / 3,000 = 540 s;
    # first response 183,000 s / 3,000 = 61 s.
    assert (chat.channel, chat.fcr_pct, chat.csat_pct, chat.aht_seconds, chat.frt_seconds) == (
        "chat",
        D("76.00"),
        D("87.00"),
        540,
        61,
    )
    assert chat.source == BaselineSource.IN_HOUSE
    assert chat.cost_per_contact is None


# SELECTION COMPARISON
# ------------------------------------------------------------------------------


def test_comparison_ranks_loaded_rates_within_a_pricing_model(
    pm, world, types, buyer_reviewer, buyer_exec
):
    selection = services.selection_create(viewer=pm, name="Support partner 2027")
    services.scope_save(
        viewer=pm,
        selection=selection,
        data=ScopeInput(
            5000, date(2027, 1, 1), [LineInput("chat", types["order-status"], 5000)], ["24_7"]
        ),
    )

    def bidder(name, model, rate, **pct):
        return bid(
            pm, selection, name, [line("chat", model, rate)], delivery_model="offshore",
            **{k: D(v) for k, v in pct.items()},
        )  # fmt: skip

    cheap = bidder(
        "Cebu Prime",
        "per_hour",
        "14.00",
        wfm_pct=6,
        qa_pct=4,
        team_leads_pct=8,
        training_pct=4,
        technology_pct=6,
    )
    bidder("Atlas", "per_hour", "16.00", wfm_pct=4, qa_pct=3, team_leads_pct=3)
    bidder("Pacific Desk", "per_contact", "1.50")
    for user, value in ((buyer_reviewer, 2), (buyer_exec, 5)):
        services.scores_save(
            viewer=viewer_of(user),
            candidate=cheap,
            scores=[ScoreInput(c.key, value) for c in domain.DEFAULT_CRITERIA],
        )
    found = selectors.comparison(pm, selectors.selection_for(pm, selection.pk))
    columns = {c.candidate.name: c for c in found.columns}
    assert list(columns) == ["Atlas", "Cebu Prime", "Pacific Desk"]
    assert found.evaluators == 2
    assert found.scope.monthly_volume == 5000
    cebu, atlas, pacific = columns["Cebu Prime"], columns["Atlas"], columns["Pacific Desk"]
    [cebu_chat], [atlas_chat], [pacific_chat] = cebu.lines, atlas.lines, pacific.lines
    assert (cebu_chat.loaded_rate, cebu_chat.rank) == (
        D("17.92"),
        domain.LineRank(2, D("1.8"), 1, ("Atlas",)),
    )
    assert (atlas_chat.loaded_rate, atlas_chat.rank) == (
        D("17.60"),
        domain.LineRank(2, D("0.0"), 2, ()),
    )
    assert pacific_chat.rank == domain.LineRank(1)  # alone on chat per contact
    assert cebu.projection.cost_per_resolved == D("2.39")
    assert atlas.projection.cost_per_resolved == D("2.35")
    assert cebu.result.score == D("3.50")  # the median of 2.00 and 5.00
    assert atlas.result.score is None
    assert found.money(cebu.projection.loaded_cost) == "8,960.00 USD"


def test_comparison_prices_each_channel_of_the_scope_with_the_quotes_lines(pm, world, types):
    """The domain's two-channel case through the database: voice 1,000 order status and
    500 complaints, chat 2,500 and 1,000 (6 minutes, 120 h an FTE, 75 % FCR).
    Alpha: voice 20.00/h, chat 2.50 a contact and complaints 4.00; QA 10 %:
    13,250.00 headline, 14,575.00 loaded, 3.89 per resolved.
    Bravo: chat 3.60 per resolved, no voice; WFM 20 %: chat 9,450.00, loaded 11,340.00;
    voice not quoted."""
    selection = services.selection_create(viewer=pm, name="Voice and chat 2027")
    services.scope_save(
        viewer=pm,
        selection=selection,
        data=ScopeInput(
            5000,
            date(2027, 1, 1),
            [
                LineInput("voice", types["order-status"], 1000),
                LineInput("voice", types["complaint-return"], 500),
                LineInput("chat", types["order-status"], 2500),
                LineInput("chat", types["complaint-return"], 1000),
            ],
            ["24_7"],
        ),
    )
    bid(
        pm, selection, "Alpha",
        [
            line("voice", "per_hour", "20.00"),
            line("chat", "per_contact", "2.50"),
            line("chat", "per_contact", "4.00", kind=types["complaint-return"]),
        ],
        qa_pct=D(10),
    )  # fmt: skip
    bid(pm, selection, "Bravo", [line("chat", "per_resolved", "3.60")], wfm_pct=D(20))
    found = selectors.comparison(pm, selectors.selection_for(pm, selection.pk))
    assert list(found.forecast) == ["voice", "chat"]
    alpha, bravo = found.columns
    voice, chat = alpha.projection.channels
    assert (voice.headline, voice.loaded, chat.headline, chat.loaded) == (
        D("3000.00"), D("3300.00"), D("10250.00"), D("11275.00"),
    )  # fmt: skip
    assert chat.invoice.explanation == (
        "1,000 chat complaint / return contacts × 4.00 USD = 4,000.00 USD + 2,500 other chat "
        "contacts × 2.50 USD = 6,250.00 USD"
    )
    assert (alpha.projection.headline_cost, alpha.projection.loaded_cost) == (
        D("13250.00"),
        D("14575.00"),
    )
    assert alpha.projection.cost_per_resolved == D("3.89")
    assert alpha.projection.complete
    assert bravo.projection.not_quoted == ("voice",)
    assert (bravo.projection.headline_cost, bravo.projection.loaded_cost) == (
        D("9450.00"),
        D("11340.00"),
    )
    assert bravo.projection.cost_per_resolved == D("4.32")


def test_a_comparison_without_a_scope_still_ranks_the_lines(pm, world):
    selection = services.selection_create(viewer=pm, name="No scope yet")
    bid(pm, selection, "Alpha", [line("voice", "per_hour", "20.00")])
    bid(pm, selection, "Bravo", [line("voice", "per_hour", "19.00")], wfm_pct=D(10))
    found = selectors.comparison(pm, selectors.selection_for(pm, selection.pk))
    assert found.scope is None
    assert found.forecast == {}
    alpha, bravo = found.columns
    assert (alpha.projection, bravo.projection) == (None, None)
    assert bravo.lines[0].rank == domain.LineRank(2, D("4.5"), 1, ("Alpha",))


def test_a_chosen_selection_compares_on_the_partners_scope(pm, world, types, today):
    selection = services.selection_create(viewer=pm, name="Support partner 2027")
    services.scope_save(
        viewer=pm,
        selection=selection,
        data=ScopeInput(
            4000, date(2027, 1, 1), [LineInput("chat", types["order-status"], 4000)], ["24_7"]
        ),
    )
    chosen = bid(pm, selection, "Atlas", [line("chat", "per_hour", "16.00")])
    partner = services.candidate_choose(viewer=pm, candidate=chosen, today=today)
    assert selectors.selection_scope(pm, selection).partner == partner
    found = selectors.comparison(pm, selectors.selection_for(pm, selection.pk))
    assert found.scope.monthly_volume == 4000
    assert found.columns[0].projection.headline_cost == D("6400.00")  # 400 h × 16.00
    assert [s.name for s in selectors.selections_list(pm)] == ["Support partner 2027"]
    assert selectors.selections_list(pm)[0].candidate_count == 1
    assert isinstance(partner, Partner)


def test_own_scores(pm, world, buyer_reviewer):
    selection = services.selection_create(viewer=pm, name="S")
    bidder = bid(pm, selection, "Atlas")
    reviewer = viewer_of(buyer_reviewer)
    services.scores_save(
        viewer=reviewer, candidate=bidder, scores=[ScoreInput("qa_process", 4, "Calibrates weekly")]
    )
    mine = selectors.own_scores(reviewer, bidder)
    assert list(mine) == ["qa_process"]
    assert mine["qa_process"].evidence == "Calibrates weekly"
    assert selectors.own_scores(pm, bidder) == {}
