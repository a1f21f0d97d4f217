"""QA evaluations feed the QA score KPI; calibration alignment can be governed by an SLA;
the cadence schedules sessions and reminds reviewers once."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.core import mail

from calibration import services
from calibration.models import CalibrationSession, SessionKind
from calibration.tasks import calibration_schedule_task
from core import clock
from kpis.domain import Kpi, kpi_values
from kpis.models import KpiSnapshot
from kpis.snapshots import partner_recompute
from partners.models import Partner
from sla import domain as sla_domain
from sla.evaluation import evaluate_contract_month
from sla.models import BandStatus
from tests.factories.calibration import answers, make_rubric, make_session, viewer_of
from tests.factories.sla import govern, make_contract, make_sla

D = Decimal


def test_qa_evaluations_become_the_qa_score_kpi(world, buyer_pm, partner_lead):
    rubric = make_rubric(buyer_pm)
    version = rubric.versions.get()
    criteria = list(version.criteria.order_by("position"))
    day = datetime(2026, 10, 14, 15, 0, tzinfo=UTC)
    for viewer, values in ((viewer_of(buyer_pm), (1, 4, 3, 1)),  # 80
                           (viewer_of(partner_lead), (1, 5, None, 1))):  # 100  # fmt: skip
        given = {c.pk: None if v is None else D(v) for c, v in zip(criteria, values, strict=True)}
        services.evaluation_save(
            viewer=viewer, agent=world.harbor_agent, version=version, external_id="Z-1",
            channel="chat", scored_at=day, values=given,
        )  # fmt: skip
    partner_recompute(partner_id=world.harbor.pk, first=date(2026, 10, 14), last=date(2026, 10, 14))
    month = KpiSnapshot.objects.get(
        partner=world.harbor, channel="chat", agent=world.harbor_agent, period_type="month"
    )
    assert (month.qa_n, month.qa_sum) == (2, 18_000)
    qa = kpi_values(month.counts, period_days=31)[Kpi.QA]
    assert qa.value == D("0.9")
    assert qa.sample == 2


def test_calibration_alignment_is_governed_like_any_kpi(
    world, buyer_pm, buyer_reviewer, partner_lead
):
    rubric = make_rubric(buyer_pm)
    session = make_session(buyer_pm, world.harbor, rubric,
                           [(buyer_reviewer, "buyer"), (partner_lead, "partner")])  # fmt: skip
    first, second = session.items.order_by("position")
    for user, a, b in ((buyer_reviewer, (1, 4, 3, 1), (0, 2, 4, 0)),
                       (partner_lead, (1, 5, None, 1), (0, 2, 4, 1))):  # fmt: skip
        viewer = viewer_of(user)
        services.score_save(viewer=viewer, session=session, item=first, values=answers(session, *a))
        services.score_save(
            viewer=viewer, session=session, item=second, values=answers(session, *b)
        )
        services.submit(viewer=viewer, session=session)
    session.refresh_from_db()
    CalibrationSession.objects.filter(pk=session.pk).update(
        revealed_at=datetime(2026, 10, 20, 10, 0, tzinfo=UTC)
    )
    contract = make_contract(world.harbor)
    bands = [
        sla_domain.Band(sla_domain.BandKind.REMEDIATION, None, D(80), opens_remediation=True),
        sla_domain.Band(sla_domain.BandKind.BASE, D(80), None),
    ]
    govern(make_sla(contract), "chat", "calibration", bands, min_sample=1)
    evaluate_contract_month(contract, date(2026, 10, 1), date(2026, 11, 5))
    status = BandStatus.objects.get(kpi="calibration")
    assert status.value == D(70)  # agreement 0.7 of tests/calibration/test_domain.py
    assert status.band_kind == "remediation"
    assert status.explanation.startswith("Calibration alignment chat 70.0% (n=1)")


@pytest.mark.time_machine(datetime(2026, 11, 6, 9, 0, tzinfo=UTC), tick=False)
def test_the_cadence_schedules_sessions_and_reminds_once(
    world, buyer_pm, buyer_reviewer, partner_lead, settings
):
    make_rubric(buyer_pm)
    world.harbor.go_live_date = date(2026, 11, 2)
    world.harbor.save()
    # Quetzal is not live yet: only Harbor's cadence counts here.
    Partner.objects.filter(pk=world.pacific.pk).update(go_live_date=None)
    assert calibration_schedule_task.delay().get() == 2  # due 9 and 16 November
    assert calibration_schedule_task.delay().get() == 0  # idempotent
    sessions = CalibrationSession.objects.filter(partner=world.harbor, kind=SessionKind.CADENCE)
    assert sorted(sessions.values_list("due_date", flat=True)) == [
        date(2026, 11, 9), date(2026, 11, 16),
    ]  # fmt: skip
    first = sessions.get(due_date=date(2026, 11, 9))
    assert set(first.reviewers.values_list("user__email", "side")) == {
        (buyer_reviewer.email, "buyer"), (partner_lead.email, "partner"),
    }  # fmt: skip
    # Reminders: due within three days, once, and never with anyone's scores.
    reminded = {m.to[0] for m in mail.outbox}
    assert reminded == {buyer_reviewer.email, partner_lead.email}
    assert all("nobody sees your scores" in m.body for m in mail.outbox)
    calibration_schedule_task.delay().get()
    assert len(mail.outbox) == 2


def test_keel_suggests_ad_hoc_sessions_until_one_is_planned(world, buyer_pm, today):
    from django.utils import timezone

    from calibration.suggestions import adhoc_suggestions
    from kpis.models import Interaction
    from partners.models import InteractionType

    refunds = InteractionType.objects.create(account=world.account, code="refunds", name="Refunds")
    Interaction.objects.create(
        partner=world.harbor, agent=world.harbor_agent, channel="chat", interaction_type=refunds,
        external_id="R-1", opened_at=clock.now() - timezone.timedelta(days=3),
    )  # fmt: skip
    pm = viewer_of(buyer_pm)
    found = adhoc_suggestions(pm, today)
    assert [(s.partner, s.reason) for s in found] == [
        (world.harbor, "New interaction type live: Refunds")
    ]
    services.session_create(
        viewer=pm, partner=world.harbor, rubric=make_rubric(buyer_pm), due_date=today,
        reason="Refunds went live", reviewers=[buyer_pm],
    )  # fmt: skip
    assert adhoc_suggestions(pm, today) == []


def test_the_overview_lists_suggestions_with_a_link_to_plan_one(world, buyer_pm, login):
    from django.urls import reverse
    from django.utils import timezone

    from kpis.models import Interaction
    from partners.models import InteractionType

    refunds = InteractionType.objects.create(account=world.account, code="refunds", name="Refunds")
    Interaction.objects.create(
        partner=world.harbor, agent=world.harbor_agent, channel="chat", interaction_type=refunds,
        external_id="R-1", opened_at=clock.now() - timezone.timedelta(days=3),
    )  # fmt: skip
    html = login(buyer_pm).get(reverse("calibration:overview")).content.decode()
    assert "New interaction type live: Refunds" in html
    assert f"?partner={world.harbor.pk}&amp;reason=New%20interaction%20type%20live" in html


def test_the_channel_scorecard_shows_the_partners_calibration_alignment(
    world, buyer_pm, buyer_reviewer, partner_lead, login
):
    from django.urls import reverse

    rubric = make_rubric(buyer_pm)
    session = make_session(buyer_pm, world.harbor, rubric,
                           [(buyer_reviewer, "buyer"), (partner_lead, "partner")])  # fmt: skip
    first, second = session.items.order_by("position")
    for user, a, b in ((buyer_reviewer, (1, 4, 3, 1), (0, 2, 4, 0)),
                       (partner_lead, (1, 5, None, 1), (0, 2, 4, 1))):  # fmt: skip
        viewer = viewer_of(user)
        services.score_save(viewer=viewer, session=session, item=first, values=answers(session, *a))
        services.score_save(
            viewer=viewer, session=session, item=second, values=answers(session, *b)
        )
        services.submit(viewer=viewer, session=session)
    html = (
        login(partner_lead)
        .get(reverse("kpis:scorecard-channels", args=[world.harbor.pk]))
        .content.decode()
    )
    assert "Calibration alignment" in html
    assert "70.0" in html
    assert "+37.5" in html


def test_a_type_the_partner_handled_before_the_window_is_not_new(world, buyer_pm, today):
    from django.utils import timezone

    from calibration.suggestions import adhoc_suggestions
    from kpis.models import Interaction
    from partners.models import InteractionType

    billing = InteractionType.objects.create(account=world.account, code="billing", name="Billing")
    for n, days in enumerate((3, 60)):
        Interaction.objects.create(
            partner=world.harbor, agent=world.harbor_agent, channel="chat",
            interaction_type=billing, external_id=f"B-{n}",
            opened_at=clock.now() - timezone.timedelta(days=days),
        )  # fmt: skip
    assert adhoc_suggestions(viewer_of(buyer_pm), today) == []
