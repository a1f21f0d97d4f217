"""The engagement timeline and starting a stage through the pages: a tight pilot, an expansion
step behind its gate (refused when red without a reason, recorded with the approver's reason
when given one), going backwards only with a reason, the ramp-realism flag, and the gate
turning green once the scope ran at SLA and calibration agrees."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from calibration.models import CalibrationSession, SessionStatus
from core import clock
from engagements import selectors, services
from engagements.models import EngagementStage, StageKind
from engagements.services import StageInput
from kpis.periods import Period, PeriodType
from partners.models import AuditEvent
from sla.models import BandKind, BandStatus, Decision
from tests.factories.calibration import make_rubric, make_session, viewer_of
from tests.factories.sla import govern_template, make_contract, make_sla

D = Decimal


@pytest.fixture
def pm(buyer_pm):
    return viewer_of(buyer_pm)


@pytest.fixture
def types(pm):
    return {t.code: t for t in services.standard_types_ensure(viewer=pm)}


def timeline_url(partner) -> str:
    return reverse("engagements:timeline", args=[partner.pk])


def create_url(partner) -> str:
    return reverse("engagements:stage-create", args=[partner.pk])


def form_data(**overrides) -> dict:
    data = {
        "kind": "pilot",
        "expansion": "",
        "started_on": "",
        "description": "",
        "channels": [],
        "interaction_types": [],
        "shifts": [],
        "ramp_weeks": "",
        "gate_months": "2",
        "alignment_threshold_pct": "85",
        "override_reason": "",
        "back_reason": "",
    }
    data.update(overrides)
    return data


def start_pilot(pm, partner, types, started_on) -> EngagementStage:
    return services.stage_start(
        viewer=pm,
        partner=partner,
        data=StageInput(
            kind="pilot",
            started_on=started_on,
            description="Order status on chat, business hours",
            channels=["chat"],
            interaction_types=[types["order-status"]],
            shifts=["business_hours"],
            ramp_weeks=4,
        ),
    )


def complete_months(today, count):
    """The first days of the `count` complete months before today's, newest first."""
    months, period = [], Period.containing(PeriodType.MONTH, today).previous()
    for _ in range(count):
        months.append(period.start)
        period = period.previous()
    return months


def at_sla(partner, months, kind=BandKind.BASE):
    """Band statuses of a governed CSAT on chat, decided in `kind`, for complete months."""
    sla = make_sla(make_contract(partner, start_date=months[-1] - timedelta(days=400)))
    governed = govern_template(sla, "chat", "csat")
    for month in months:
        BandStatus.objects.create(
            governed=governed, partner=partner, channel="chat", kpi="csat", month=month,
            value=D("86.0"), sample=400, band_kind=kind, band_label=kind.label,
            decision=Decision.DECIDED, month_complete=True, explanation="CSAT 86.0% (n=400)",
            computed_at=clock.now(),
        )  # fmt: skip


def calibrated(buyer_pm, buyer_reviewer, partner_lead, partner, months, agreement):
    """One revealed calibration session per month, with this agreement."""
    rubric = make_rubric(buyer_pm)
    for month in months:
        session = make_session(
            buyer_pm, partner, rubric, [(buyer_reviewer, "buyer"), (partner_lead, "partner")],
            due=month + timedelta(days=10),
        )  # fmt: skip
        CalibrationSession.objects.filter(pk=session.pk).update(
            status=SessionStatus.REVEALED,
            revealed_at=datetime.combine(month + timedelta(days=12), time(12), tzinfo=UTC),
            agreement=agreement,
        )


# THE TIMELINE
# ------------------------------------------------------------------------------


def test_the_timeline_shows_each_stage_to_the_partner_without_the_gate(
    pm, world, types, login, partner_viewer, today
):
    start_pilot(pm, world.harbor, types, today - timedelta(days=30))
    response = login(partner_viewer).get(timeline_url(world.harbor))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Pilot" in page
    assert "(30 days)" in page
    assert "Day 30 of a 60-90 day pilot." in page
    assert "Order status" in page
    assert "Chat" in page
    assert "Business hours (Mon-Fri 08-18)" in page
    # The next step, the gate and the way to start a stage are the program managers'.
    assert "Expansion gate today" not in page
    assert create_url(world.harbor) not in page


def test_another_partners_timeline_is_a_404(pm, world, types, login, other_partner_lead, today):
    start_pilot(pm, world.harbor, types, today - timedelta(days=30))
    assert login(other_partner_lead).get(timeline_url(world.harbor)).status_code == 404


def test_the_pilot_links_to_band_design_with_its_weeks(pm, world, types, login, buyer_pm, today):
    contract = make_contract(world.harbor, start_date=today - timedelta(days=200))
    sla = make_sla(contract)
    started = today - timedelta(days=70)
    start_pilot(pm, world.harbor, types, started)
    page = login(buyer_pm).get(timeline_url(world.harbor)).content.decode()
    monday = started - timedelta(days=started.weekday())
    assert reverse("sla:band-design", args=[sla.pk]) + f"?first_week={monday}" in page
    assert "channel=chat" in page


def test_the_program_manager_sees_the_next_step_and_the_current_gate(
    pm, world, types, login, buyer_pm, today
):
    start_pilot(pm, world.harbor, types, today - timedelta(days=80))
    page = login(buyer_pm).get(timeline_url(world.harbor)).content.decode()
    assert "Expansion: another interaction type" in page  # next in the default sequence
    assert "weeks 13-20" in page
    assert "gate-red" in page
    assert page.count("no governed KPI was decided.") == 2  # each of the last 2 months
    assert "No calibration alignment measured yet." in page


def test_the_gate_parameters_are_validated(pm, world, types, login, buyer_pm, today):
    start_pilot(pm, world.harbor, types, today - timedelta(days=80))
    client = login(buyer_pm)
    page = client.get(timeline_url(world.harbor), {"months": "0"}).content.decode()
    assert "The gate looks at one month or more." in page
    assert page.count("no governed KPI was decided.") == 2  # the default is used instead
    page = client.get(timeline_url(world.harbor), {"months": "3"}).content.decode()
    assert page.count("no governed KPI was decided.") == 3
    page = client.get(timeline_url(world.harbor), {"threshold": "120"}).content.decode()
    assert "The alignment threshold is a percentage from 0 to 100." in page


def test_the_timeline_query_count_does_not_grow_with_stages(
    pm, world, types, login, buyer_pm, today
):
    client = login(buyer_pm)
    start_pilot(pm, world.harbor, types, today - timedelta(days=200))
    client.get(timeline_url(world.harbor))  # warm the session and content types
    with CaptureQueriesContext(connection) as one:
        assert client.get(timeline_url(world.harbor)).status_code == 200
    for n, expansion in enumerate(["interaction_type", "channel", "shifts"]):
        services.stage_start(
            viewer=pm, partner=world.harbor,
            data=StageInput(kind="expansion", expansion=expansion,
                            started_on=today - timedelta(days=100 - 30 * n),
                            interaction_types=[types["billing"]], channels=["email"],
                            override_reason="Business needs it"),
            gate=selectors.gate_for(pm, world.harbor, today, months=2, threshold_pct=D(85)),
        )  # fmt: skip
    with CaptureQueriesContext(connection) as four:
        response = client.get(timeline_url(world.harbor))
    assert response.content.decode().count("approved despite a red gate") >= 3
    assert len(four) == len(one)


# STARTING STAGES
# ------------------------------------------------------------------------------


def test_a_partner_user_cannot_start_a_stage(world, login, partner_lead):
    assert login(partner_lead).get(create_url(world.harbor)).status_code == 403


def test_the_form_is_prefilled_with_the_next_step(pm, world, types, login, buyer_pm, today):
    start_pilot(pm, world.harbor, types, today - timedelta(days=80))
    response = login(buyer_pm).get(create_url(world.harbor))
    form = response.context["form"]
    assert form.initial["kind"] == "expansion"
    assert form.initial["expansion"] == "interaction_type"
    assert form.initial["started_on"] == today
    page = response.content.decode()
    assert "The gate an expansion step faces today" in page
    assert "gate-red" in page
    assert 'name="override_reason"' in page  # shown: the gate is red


def test_a_pilot_on_two_channels_is_refused_then_one_channel_starts(
    world, types, login, buyer_pm, today
):
    client = login(buyer_pm)
    wide = form_data(
        started_on=(today - timedelta(days=75)).isoformat(),
        channels=["chat", "email"],
        interaction_types=[types["order-status"].pk],
        shifts=["business_hours"],
    )
    response = client.post(create_url(world.harbor), wide)
    assert response.status_code == 200
    assert "A pilot runs on a tight scope: one channel, one interaction type, one shift." in (
        response.content.decode()
    )
    assert not EngagementStage.objects.exists()

    response = client.post(create_url(world.harbor), {**wide, "channels": ["chat"]})
    assert response.status_code == 302
    assert response["Location"] == timeline_url(world.harbor)
    stage = EngagementStage.objects.get()
    assert stage.kind == StageKind.PILOT
    assert stage.channels == ["chat"]
    page = client.get(response["Location"]).content.decode()
    assert "Pilot starts on" in page  # the message
    assert "(75 days)" in page


def test_an_expansion_behind_a_red_gate_needs_the_approvers_reason(
    pm, world, types, login, buyer_pm, today
):
    start_pilot(pm, world.harbor, types, today - timedelta(days=90))
    client = login(buyer_pm)
    step = form_data(
        kind="expansion",
        expansion="interaction_type",
        started_on=today.isoformat(),
        channels=["chat"],
        interaction_types=[types["product-question"].pk],
        shifts=["business_hours"],
        ramp_weeks="10",
    )
    response = client.post(create_url(world.harbor), step)
    assert response.status_code == 200
    errors = response.context["form"].errors["override_reason"]
    assert errors[0].startswith("The gate is red: ")
    assert "no governed KPI was decided." in errors[0]
    assert "give the reason you approve the step despite it." in errors[0]
    assert EngagementStage.objects.count() == 1
    assert not AuditEvent.objects.filter(action="stage.started", summary__contains="Expansion")

    reason = "Black Friday volume: the in-house team cannot take the product questions."
    response = client.post(create_url(world.harbor), {**step, "override_reason": reason})
    assert response.status_code == 302
    stage = EngagementStage.objects.latest("pk")
    assert stage.gate_green is False
    assert stage.override_reason == reason
    assert stage.approved_by == buyer_pm
    page = client.get(timeline_url(world.harbor)).content.decode()
    assert "despite a red gate" in page
    assert f"Approved despite a red gate by {buyer_pm.display_name}:</strong> {reason}" in page
    assert "No calibration alignment measured yet." in page  # the gate as recorded


def test_moving_backwards_without_a_reason_is_refused_and_nothing_is_saved(
    pm, world, types, login, buyer_pm, today
):
    start_pilot(pm, world.harbor, types, today - timedelta(days=120))
    services.stage_start(
        viewer=pm, partner=world.harbor,
        data=StageInput(kind="steady_state", started_on=today - timedelta(days=10)),
    )  # fmt: skip
    client = login(buyer_pm)
    back = form_data(
        kind="pilot",
        started_on=today.isoformat(),
        channels=["chat"],
        interaction_types=[types["order-status"].pk],
        shifts=["business_hours"],
    )
    response = client.post(create_url(world.harbor), back)
    assert response.status_code == 200
    assert response.context["form"].errors["back_reason"] == [
        "Moving back from steady state to pilot needs a reason."
    ]
    assert EngagementStage.objects.count() == 2
    assert EngagementStage.objects.get(kind="steady_state").ended_on is None

    response = client.post(
        create_url(world.harbor), {**back, "back_reason": "CSAT fell for three months."}
    )
    assert response.status_code == 302
    assert EngagementStage.objects.count() == 3
    page = client.get(timeline_url(world.harbor)).content.decode()
    assert "Moved back:</strong> CSAT fell for three months." in page


def test_an_unrealistic_ramp_is_flagged(pm, world, types, login, buyer_pm, today):
    start_pilot(pm, world.harbor, types, today - timedelta(days=90))
    client = login(buyer_pm)
    response = client.post(
        create_url(world.harbor),
        form_data(
            kind="expansion",
            expansion="interaction_type",
            started_on=today.isoformat(),
            channels=["chat"],
            interaction_types=[types["product-question"].pk],
            ramp_weeks="4",
            override_reason="Pressed by the season",
        ),
        follow=True,
    )
    flag = (
        "A 4-week ramp is unrealistic beyond status checks: plan at least 8 weeks to full volume."
    )
    assert [str(m) for m in response.context["messages"]][-1] == flag
    assert EngagementStage.objects.latest("pk").ramp_flag == flag
    assert f"Ramp realism: {flag}" in response.content.decode()


def test_recomputing_the_gate_saves_nothing(pm, world, types, login, buyer_pm, today):
    start_pilot(pm, world.harbor, types, today - timedelta(days=90))
    response = login(buyer_pm).post(
        create_url(world.harbor),
        form_data(
            kind="expansion", expansion="channel", started_on=today.isoformat(),
            channels=["email"], gate_months="3", recompute="1",
        ),
    )  # fmt: skip
    assert response.status_code == 200
    assert response.content.decode().count("no governed KPI was decided.") == 3
    assert response.context["form"].initial["channels"] == ["email"]
    assert EngagementStage.objects.count() == 1


def test_the_gate_turns_green_at_sla_with_calibration_above_threshold(
    pm, world, types, login, buyer_pm, buyer_reviewer, partner_lead, today
):
    start_pilot(pm, world.harbor, types, today - timedelta(days=90))
    months = complete_months(today, 2)
    at_sla(world.harbor, months, BandKind.BASE)
    BandStatus.objects.filter(month=months[0]).update(band_kind=BandKind.BONUS)
    calibrated(buyer_pm, buyer_reviewer, partner_lead, world.harbor, months, D("0.9"))
    client = login(buyer_pm)

    page = client.get(create_url(world.harbor)).content.decode()
    assert "gate-green" in page
    assert "90.0 %" in page  # the agreement
    assert 'name="override_reason"' not in page  # no reason needed

    # A stricter threshold turns it red again, with the reason.
    page = client.get(create_url(world.harbor), {"alignment_threshold_pct": "95"}).content
    assert "Calibration agreement 90.0% is below the 95.0% threshold." in page.decode()

    response = client.post(
        create_url(world.harbor),
        form_data(
            kind="expansion", expansion="interaction_type", started_on=today.isoformat(),
            channels=["chat"], interaction_types=[types["product-question"].pk], ramp_weeks="10",
        ),
    )  # fmt: skip
    assert response.status_code == 302
    stage = EngagementStage.objects.latest("pk")
    assert stage.gate_green is True
    assert stage.gate_alignment == D("0.9")
    assert not stage.approved_despite_red
    page = client.get(timeline_url(world.harbor)).content.decode()
    assert 'Gate when approved: <span class="badge health-good">green</span>' in page


def test_a_month_below_base_keeps_the_gate_red(
    pm, world, types, login, buyer_pm, buyer_reviewer, partner_lead, today
):
    months = complete_months(today, 2)
    at_sla(world.harbor, months, BandKind.BASE)
    BandStatus.objects.filter(month=months[1]).update(band_kind=BandKind.REMEDIATION)
    calibrated(buyer_pm, buyer_reviewer, partner_lead, world.harbor, months, D("0.9"))
    page = login(buyer_pm).get(timeline_url(world.harbor)).content.decode()
    assert "gate-red" in page
    assert f"{months[1]:%B %Y}: below base on CSAT chat." in page
