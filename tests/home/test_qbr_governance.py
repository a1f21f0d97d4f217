"""The one-partner QBR's governance tables: scope discipline over the quarter, the
calibration sessions the cadence had due and when each was held, and the health check, each
on the page and as CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest
from django.urls import reverse

from calibration.models import CalibrationSession, SessionKind, SessionStatus
from engagements import services as engagement_services
from kpis.models import Interaction
from tests.factories.calibration import make_rubric, make_session
from tests.factories.calibration import viewer_of as engagement_viewer
from tests.factories.engagements import make_scope


@pytest.fixture
def mid_november(time_machine):
    time_machine.move_to("2026-11-18T12:00:00Z", tick=False)


def page(client, partner, year=2026, number=4):
    return client.get(reverse("home:qbr-partner", args=[year, number, partner.pk]))


def rows(client, table, partner, year=2026, number=4):
    response = client.get(
        reverse("home:qbr-csv", args=[year, number, table]), {"partner": partner.pk}
    )
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_scope_discipline_over_the_quarter(world, buyer_pm, login, mid_november) -> None:
    """Four contacts on Tuesday 3 November: two in scope, voice (not in the scope) and a
    Saturday chat (weekends not covered) out: 50 %, below the healthy 95 %."""
    pm = engagement_viewer(buyer_pm)
    types = {t.code: t for t in engagement_services.standard_types_ensure(viewer=pm)}
    make_scope(pm, types, partner=world.harbor)
    tuesday, saturday = date(2026, 11, 3), date(2026, 11, 7)
    for n, (channel, day) in enumerate(
        (("chat", tuesday), ("chat", tuesday), ("voice", tuesday), ("chat", saturday))
    ):
        Interaction.objects.create(
            partner=world.harbor, agent=world.harbor_agent, channel=channel,
            interaction_type=types["order-status"], external_id=f"T-{n}",
            opened_at=datetime.combine(day, time(10), tzinfo=UTC),
        )  # fmt: skip
    client = login(buyer_pm)
    response = page(client, world.harbor)
    records = response.context["records"]
    assert (records.start, records.last_day) == (date(2026, 10, 1), date(2026, 11, 18))
    assert (records.discipline.discipline.contacts, records.discipline.discipline.in_scope) == (
        4, 2,
    )  # fmt: skip
    html = response.content.decode()
    assert "50.0 %</strong> of contacts in scope: 2 of 4 from 1 Oct to 18 Nov 2026" in html
    assert "✗ below 95 %" in html
    layers = {layer.key: layer for layer in response.context["health"]}
    assert layers["scope"].healthy is False
    table = rows(client, "discipline", world.harbor)
    assert table[0][:3] == ["partner", "channel", "interaction type"]
    assert table[1] == ["Harbor Support", "in scope", "", "", "", "2", "50.0"]
    assert {row[4] for row in table[2:]} >= {"shift not covered"}


def cadence_session(
    world, buyer_pm, buyer_reviewer, partner_lead, due: date, revealed: date | None
):
    rubric = make_rubric(buyer_pm, name=f"QA {due}")
    reviewers = [(buyer_reviewer, "buyer"), (partner_lead, "partner")]
    session = make_session(buyer_pm, world.harbor, rubric, reviewers, due=due)
    update = {"kind": SessionKind.CADENCE}
    if revealed is not None:
        update.update(
            status=SessionStatus.REVEALED,
            revealed_at=datetime.combine(revealed, time(15), tzinfo=UTC),
        )
    CalibrationSession.objects.filter(pk=session.pk).update(**update)
    return session


def test_cadence_adherence_lists_each_session_due(
    world, buyer_pm, buyer_reviewer, partner_lead, login, mid_november
) -> None:
    """Due 6 October, held that day; due 20 October, held 27 October (late); due 3 November,
    never held (missed); due 17 November, not held yet but within its three days (pending);
    due 1 December, after today (not in the quarter so far). Adherence: 1 of 3."""
    for due, revealed in (
        (date(2026, 10, 6), date(2026, 10, 6)),
        (date(2026, 10, 20), date(2026, 10, 27)),
        (date(2026, 11, 3), None),
        (date(2026, 11, 17), None),
        (date(2026, 12, 1), None),
    ):
        cadence_session(world, buyer_pm, buyer_reviewer, partner_lead, due, revealed)
    client = login(buyer_pm)
    response = page(client, world.harbor)
    records = response.context["records"]
    assert [r.session.due_date.day for r in records.cadence] == [6, 20, 3, 17]
    assert [r.pending for r in records.cadence] == [False, False, False, True]
    assert records.adherence == Decimal(1) / Decimal(3)
    html = response.content.decode()
    assert "1 of the 3 sessions the cadence had due" in html
    assert "✗ late" in html
    assert "✗ not held" in html
    assert "due, within its three days" in html
    assert [row[4] for row in rows(client, "cadence", world.harbor)[1:]] == [
        "on time", "late", "not held", "within its grace days",
    ]  # fmt: skip


def test_the_health_check_downloads_as_csv(world, buyer_pm, login, mid_november) -> None:
    table = rows(login(buyer_pm), "health", world.harbor)
    assert table[0] == ["partner", "layer", "healthy when", "score", "evidence", "scored by"]
    assert len(table) == 8  # the header and seven layers


def test_a_one_partner_table_needs_its_partner(world, buyer_pm, login, mid_november) -> None:
    response = login(buyer_pm).get(reverse("home:qbr-csv", args=[2026, 4, "cadence"]))
    assert response.status_code == 404


def test_another_tenants_partner_is_not_found(world, outsider_pm, login, mid_november) -> None:
    response = login(outsider_pm).get(
        reverse("home:qbr-csv", args=[2026, 4, "cadence"]), {"partner": world.harbor.pk}
    )
    assert response.status_code == 404


def test_per_agent_visibility_counts_the_scorecards_the_buyer_opened(
    world, buyer_pm, partner_lead, login, mid_november
) -> None:
    """Harbor has one active agent: the lead opening its scorecard does not count, the
    program manager opening it twice in a day counts once, and makes the layer healthy."""
    from kpis.models import ScorecardOpening

    agent_url = reverse("kpis:agent-scorecard", args=[world.harbor_agent.pk])
    assert login(partner_lead).get(agent_url).status_code == 200
    layers = {layer.key: layer for layer in page(login(buyer_pm), world.harbor).context["health"]}
    assert layers["per_agent"].healthy is None
    client = login(buyer_pm)
    for _ in range(2):
        assert client.get(agent_url).status_code == 200
    assert ScorecardOpening.objects.filter(buyer_side=True).count() == 1
    assert ScorecardOpening.objects.filter(buyer_side=False).count() == 1
    layers = {layer.key: layer for layer in page(client, world.harbor).context["health"]}
    assert (layers["per_agent"].healthy, layers["per_agent"].by) == (True, "Keel")
    assert "opened 1 of 1 active agents' scorecards" in layers["per_agent"].evidence
